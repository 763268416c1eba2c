/**
 * The keys that say where a notifier delivers; without one it has nowhere to send. For PagerDuty and
 * Opsgenie the endpoint has a default and the key (`routingKey`, `apiKey`) picks the service or team.
 */
const destinationKeys = ['webhookURL', 'url', 'host', 'to', 'routingKey', 'apiKey'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A notifier whose destination comes from an unset `${VAR}` is left out, with a note, rather than failing
 * the whole config: a shared config lists every channel and each deployment sets the secrets it uses
 * (the shipped example among them). Paths in `unset` after a removed entry are renumbered so later
 * problems still name their variable.
 */
export function leaveOutUnsetNotifiers(
  tree: unknown,
  unset: Map<string, string>,
): { tree: unknown; unset: Map<string, string>; notes: string[] } {
  const analyzer = isRecord(tree) ? tree.analyzer : undefined;
  const notify = isRecord(analyzer) ? analyzer.notify : undefined;
  if (!Array.isArray(notify)) return { tree, unset, notes: [] };
  const notes: string[] = [];
  const kept: unknown[] = [];
  const renumber = new Map<number, number>();
  notify.forEach((entry, index) => {
    const variable = destinationKeys
      .map((key) => unset.get(`analyzer.notify.${index}.${key}`))
      .find((name) => name !== undefined);
    if (variable && isRecord(entry)) {
      const type = typeof entry.type === 'string' ? entry.type : 'notifier';
      const name = typeof entry.name === 'string' ? ` "${entry.name}"` : '';
      notes.push(`analyzer.notify.${index} (${type}${name}) is left out: \${${variable}} is not set`);
      return;
    }
    renumber.set(index, kept.length);
    kept.push(entry);
  });
  if (notes.length === 0) return { tree, unset, notes };
  const moved = new Map<string, string>();
  for (const [path, variable] of unset) {
    const match = /^analyzer\.notify\.(\d+)(\..*)?$/.exec(path);
    if (!match) moved.set(path, variable);
    else if (renumber.has(Number(match[1])))
      moved.set(`analyzer.notify.${renumber.get(Number(match[1]))}${match[2] ?? ''}`, variable);
  }
  const root = tree as Record<string, unknown>;
  return { tree: { ...root, analyzer: { ...(analyzer as object), notify: kept } }, unset: moved, notes };
}
