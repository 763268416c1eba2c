import { schemaKeyPaths } from './key-paths.ts';

let keysByParent: Map<string, string[]> | undefined;

/** Valid keys under each parent path (`server`, `providers[]`, `` for the root), built once from the schema. */
function validKeys(): Map<string, string[]> {
  if (keysByParent) return keysByParent;
  keysByParent = new Map();
  for (const path of schemaKeyPaths()) {
    const cut = path.lastIndexOf('.');
    const parent = cut === -1 ? '' : path.slice(0, cut);
    const key = cut === -1 ? path : path.slice(cut + 1);
    keysByParent.set(parent, [...(keysByParent.get(parent) ?? []), key]);
  }
  return keysByParent;
}

/** `['providers', 0, 'timeouts']` → `providers[].timeouts`, the notation of schemaKeyPaths(). */
export function schemaPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? '[]' : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** The valid key nearest to a misspelt one (`hots` → `host`, `baseUrl` → `baseURL`), if one is close. */
export function nearestKey(parent: readonly PropertyKey[], unknown: string): string | undefined {
  const candidates = validKeys().get(schemaPath(parent)) ?? [];
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(unknown.toLowerCase(), key.toLowerCase());
    if (!best || distance < best.distance) best = { key, distance };
  }
  const allowed = Math.max(2, Math.floor(unknown.length / 3));
  return best && best.distance <= allowed ? best.key : undefined;
}

/** Edit distance where swapping two neighbours counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}

/**
 * Keys whose value was one unset `${VAR}` are dropped before validation, so the schema never sees them: a
 * misspelt optional key (`apikey: ${OPENAI_API_KEY}`) would vanish without a word. These are checked here.
 */
export function unknownDroppedKeys(unset: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const path of unset.keys()) {
    const parts = path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const key = parts.at(-1);
    if (typeof key !== 'string') continue;
    const parent = parts.slice(0, -1);
    const known = validKeys().get(schemaPath(parent));
    // No known keys under the parent: a free-form map (headers, models, labels), where any name is fine.
    if (!known || known.includes(key)) continue;
    const suggestion = nearestKey(parent, key);
    problems.push(`${path}: unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
  return problems;
}
