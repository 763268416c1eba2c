import type { StreamChunk, Usage } from '../providers/index.ts';
import { createCatchUp } from './catch-up.ts';
import type { TokenCount } from './tokens.ts';
import { type Part, piecesOf } from './transcript.ts';

/** The fields that make chunks one stream in the client's eyes, as its first chunk had them. */
export type Identity = Partial<Record<(typeof identityFields)[number], unknown>>;
export const identityFields = ['id', 'object', 'created', 'model', 'system_fingerprint'] as const;

export type SpliceStep =
  | { ok: true; chunk: StreamChunk | undefined }
  | { ok: false; offset: number; why: string };

export interface Splice {
  readonly caughtUp: boolean;
  /** One chunk of the replacement stream → what the client gets (undefined: withheld), or a divergence. */
  chunk(chunk: StreamChunk): SpliceStep;
}

export interface SpliceOptions {
  identity: Identity;
  /** What the client received, to be repeated first (replay); empty when the target continues it (prefill). */
  received: readonly Part[];
  /** Tokens the earlier attempts of this stream consumed: added to the replacement's usage chunk. */
  earlier: readonly TokenCount[];
}

/**
 * Turns a replacement stream into the continuation of the one the client has: chunks carry the first
 * stream's id, model and creation time; nothing reaches the client until the replacement has repeated
 * what was sent (catch-up.ts); the role opening, already sent, is not sent again; a usage figure counts
 * every attempt the answer took, so the client's bill matches the providers'. Each chunk that goes out
 * is serialised anew: only a resumed stream pays for that.
 */
export function createSplice({ identity, received, earlier }: SpliceOptions): Splice {
  const catchUp = createCatchUp(received);
  return {
    get caughtUp() {
      return catchUp.caughtUp;
    },
    chunk({ json }) {
      const choices = json.choices;
      const out: Record<string, unknown> = { ...json };
      for (const field of identityFields) {
        if (field in identity) out[field] = identity[field];
        else delete out[field];
      }
      if (json.usage && typeof json.usage === 'object') out.usage = addUsage(json.usage as Usage, earlier);
      if (!Array.isArray(choices) || choices.length === 0) {
        // A usage chunk, or an opening without choices (a content-filter preamble) the client already had.
        const keep = out.usage !== undefined && out.usage !== null && catchUp.caughtUp;
        return { ok: true, chunk: keep ? serialise(out) : undefined };
      }
      const choice = choices[0] as Record<string, unknown>;
      const { role: _sent, ...delta } = (choice.delta ?? {}) as Record<string, unknown>;
      const step = catchUp.feed(delta);
      if (!step.ok) return step;
      const finish = choice.finish_reason;
      let next = step.delta;
      if (next === undefined || piecesOf(next).length === 0) {
        if (!finish) return { ok: true, chunk: undefined };
        if (!catchUp.caughtUp)
          return {
            ok: false,
            offset: offsetOf(received),
            why: 'the answer ended before repeating what was sent',
          };
        next = {};
      }
      // Log probabilities belong to the whole piece: a piece cut at the join keeps none.
      const trimmed = next !== delta;
      out.choices = [
        { ...choice, delta: next, ...(trimmed && 'logprobs' in choice ? { logprobs: null } : {}) },
      ];
      return { ok: true, chunk: serialise(out) };
    },
  };
}

const serialise = (json: Record<string, unknown>): StreamChunk => ({ data: JSON.stringify(json), json });

const offsetOf = (parts: readonly Part[]) => parts.reduce((sum, part) => sum + part.text.length, 0);

/** The replacement's usage plus what the earlier attempts consumed (reported, or estimated when not). */
export function addUsage(usage: Usage, earlier: readonly TokenCount[]): Usage {
  let input = 0;
  let output = 0;
  let cached = 0;
  for (const tokens of earlier) {
    input += tokens.input;
    output += tokens.output;
    cached += tokens.cachedInput;
  }
  const prompt = (usage.prompt_tokens ?? 0) + input;
  const completion = (usage.completion_tokens ?? 0) + output;
  const ownCached = usage.prompt_tokens_details?.cached_tokens;
  return {
    ...usage,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(usage.prompt_tokens_details || cached > 0
      ? {
          prompt_tokens_details: { ...usage.prompt_tokens_details, cached_tokens: (ownCached ?? 0) + cached },
        }
      : {}),
  };
}
