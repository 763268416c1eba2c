/** The label every name past a bound is counted under. */
export const OVERFLOW_LABEL = 'other';

/**
 * Names that come from outside (a model a client sends through a `*` route, a model an upstream answers
 * with) become metric labels and table keys only through this: `known` names always keep their own, the
 * first `limit` other distinct names keep theirs, and every later one reads `other`. Series and memory
 * stay bounded whatever arrives, and a flood of new names never takes a label from one already in use.
 */
export function createLabelBound(limit: number, known: Iterable<string> = []): (name: string) => string {
  const always = new Set(known);
  const admitted = new Set<string>();
  return (name) => {
    if (always.has(name) || admitted.has(name)) return name;
    if (admitted.size >= limit) return OVERFLOW_LABEL;
    admitted.add(name);
    return name;
  };
}
