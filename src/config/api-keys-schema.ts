import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A gateway API key and the name that labels its usage (metrics, spans, /api/metrics); never the key. */
export interface ApiKey {
  name: string;
  key: string;
}

const clientName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/,
    'lowercase letters, digits, "-", "_", "." (it becomes a metric label)',
  );

const namedKey = z.strictObject({
  name: clientName.describe("Labels this key's requests (inferwatch.client); never the key itself"),
  key: z.string().min(1, 'must not be empty').describe('The secret; use ${ENV} interpolation'),
});

/**
 * A plain string's name: a fingerprint (the first 8 hex digits of its SHA-256), so the name is stable when
 * keys are reordered or one is unset, and whoever holds a key can tell which series are theirs. It says
 * nothing usable about a random key; name the entry to show nothing derived from it at all.
 */
export const derivedKeyName = (key: string): string =>
  `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

export const apiKeysSchema = z
  .array(z.union([z.string(), namedKey]))
  .default([])
  .transform((entries, ctx): ApiKey[] => {
    const keys = entries
      .map((entry, index) =>
        typeof entry === 'string' ? { name: derivedKeyName(entry), key: entry, index } : { ...entry, index },
      )
      // An unset ${ENV} leaves an empty plain string: dropped, so "no keys" stays possible.
      .filter((entry) => entry.key.length > 0);
    const names = new Set<string>();
    const secrets = new Set<string>();
    for (const { name, key, index } of keys) {
      const entry = { name, key };
      if (names.has(entry.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate name "${entry.name}"` });
      }
      if (secrets.has(entry.key)) {
        ctx.addIssue({ code: 'custom', path: [index], message: 'the same key is listed twice' });
      }
      if (entry.name === entry.key) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: 'the name must not be the key' });
      }
      names.add(entry.name);
      secrets.add(entry.key);
    }
    return keys.map(({ name, key }) => ({ name, key }));
  })
  .describe(
    'Gateway API keys (Bearer); empty = open. Each entry is a key string or { name, key }: the name labels requests, tokens and cost (inferwatch.client), never the key; a string is named key-<first 8 hex digits of its SHA-256>. Empty strings from unset ${ENV} are dropped',
  );
