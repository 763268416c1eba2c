const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const keyPath = /^server\.apiKeys\.(\d+)\.key$/;
const plainPath = /^server\.apiKeys\.(\d+)$/;

/**
 * A named API key (`{ name, key: ${VAR} }`) whose variable is unset is left out, with a note, as a plain
 * `${VAR}` entry is: a shared config lists every client and each deployment sets the keys it uses. The
 * interpolated list has already lost the unset plain entries, so an entry's place there is its place in
 * the file minus the plain entries dropped before it.
 */
export function leaveOutUnsetApiKeys(
  tree: unknown,
  unset: Map<string, string>,
): { tree: unknown; unset: Map<string, string>; notes: string[] } {
  const server = isRecord(tree) ? tree.server : undefined;
  const keys = isRecord(server) ? server.apiKeys : undefined;
  if (!Array.isArray(keys)) return { tree, unset, notes: [] };
  const dropped = [...unset.keys()].flatMap((path) => {
    const match = plainPath.exec(path);
    return match ? [Number(match[1])] : [];
  });
  const notes: string[] = [];
  const leftOut = new Set<number>();
  const moved = new Map(unset);
  for (const [path, variable] of unset) {
    const match = keyPath.exec(path);
    if (!match) continue;
    const index = Number(match[1]);
    const position = index - dropped.filter((other) => other < index).length;
    const entry = keys[position];
    if (!isRecord(entry) || entry.key !== undefined) continue;
    const name = typeof entry.name === 'string' ? ` (${entry.name})` : '';
    notes.push(`server.apiKeys.${index}${name} is left out: \${${variable}} is not set`);
    leftOut.add(position);
    moved.delete(path);
  }
  if (leftOut.size === 0) return { tree, unset, notes };
  const root = tree as Record<string, unknown>;
  const kept = keys.filter((_entry, position) => !leftOut.has(position));
  return { tree: { ...root, server: { ...(server as object), apiKeys: kept } }, unset: moved, notes };
}
