import type { AnalysisContext } from './context.ts';

/**
 * Trims a context to a character budget, dropping the least useful parts first: history, other firing
 * alerts, then series beyond the first few, then alerts beyond the first few. The result is a copy.
 */
export function fitBudget(context: AnalysisContext, maxChars: number): AnalysisContext {
  const size = (value: unknown) => JSON.stringify(value).length;
  let out: AnalysisContext = structuredClone(context);
  const steps: ((c: AnalysisContext) => AnalysisContext)[] = [
    (c) => ({ ...c, history: c.history.slice(0, 5) }),
    (c) => ({ ...c, otherFiring: c.otherFiring.slice(0, 5) }),
    (c) => ({
      ...c,
      related: Object.fromEntries(Object.entries(c.related).map(([k, v]) => [k, v?.slice(0, 5)])),
    }),
    (c) => ({
      ...c,
      alerts: c.alerts.slice(0, 5),
      expr: c.expr && { ...c.expr, series: c.expr.series.slice(0, 5) },
    }),
    (c) => ({ ...c, history: [], otherFiring: [], alerts: c.alerts.slice(0, 2) }),
  ];
  for (const step of steps) {
    if (size(out) <= maxChars) break;
    out = step(out);
  }
  return out;
}
