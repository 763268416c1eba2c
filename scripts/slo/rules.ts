import { budgetOf, objectiveText, type Slo, type SloSpec, seriesOf, windowsOf } from './spec.ts';

// Prometheus rule groups for every SLO of the spec: the SLI as a ratio per window, the sample guards,
// the 5-minute rates the error budget is summed from, and the multi-window, multi-burn-rate alerts.

export interface RecordingRule {
  record: string;
  expr: string;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const histogramSelector = (metric: string, matchers: string, extra = '') =>
  `${metric}{${[matchers, extra].filter(Boolean).join(', ')}}`;

/** The SLI over one window: the share of counted events that were bad, 0 (not empty) when none were. */
function ratioExpr(slo: Slo, window: string): string {
  const by = `sum by (${slo.by.join(', ')})`;
  const { sli } = slo;
  if (sli.kind === 'ratio')
    return [
      '(',
      `  ${by} (rate(${sli.badSelector}[${window}]))`,
      '  or',
      `  0 * ${by} (rate(${sli.totalSelector}[${window}]))`,
      ')',
      '/',
      `${by} (rate(${sli.totalSelector}[${window}]))`,
    ].join('\n');
  return [
    '1 - (',
    `  ${by} (rate(${histogramSelector(`${sli.histogram}_bucket`, sli.selector, `le="${sli.le}"`)}[${window}]))`,
    '  /',
    `  ${by} (rate(${histogramSelector(`${sli.histogram}_count`, sli.selector)}[${window}]))`,
    ')',
  ].join('\n');
}

/** Counted events (the SLI's denominator) as a counter selector. */
function totalSelector(slo: Slo): string {
  return slo.sli.kind === 'ratio'
    ? slo.sli.totalSelector
    : histogramSelector(`${slo.sli.histogram}_count`, slo.sli.selector);
}

function recordingRules(spec: SloSpec, slo: Slo): RecordingRule[] {
  const by = `sum by (${slo.by.join(', ')})`;
  const names = seriesOf(spec, slo);
  const { sli } = slo;
  const guards = [
    ...new Set([spec.burnRates.page.windows[0]?.long, spec.burnRates.ticket.windows[0]?.long]),
  ].filter((w): w is string => Boolean(w));
  // Bad events per second over 5 minutes, 0 when there were events and none was bad.
  const badRate =
    sli.kind === 'ratio'
      ? `(\n  ${by} (rate(${sli.badSelector}[5m]))\n  or\n  0 * ${names.totalRate}\n)`
      : `${names.totalRate}\n-\n${by} (rate(${histogramSelector(`${sli.histogram}_bucket`, sli.selector, `le="${sli.le}"`)}[5m]))`;
  return [
    ...windowsOf(spec).map((window) => ({ record: names.ratio(window), expr: ratioExpr(slo, window) })),
    ...guards.map((window) => ({
      record: names.guard(window),
      expr: `${by} (increase(${totalSelector(slo)}[${window}]))`,
    })),
    { record: names.totalRate, expr: `${by} (rate(${totalSelector(slo)}[5m]))` },
    { record: names.badRate, expr: badRate },
    {
      record: names.budgetRemaining,
      expr: [
        '1 - (',
        `  sum_over_time(${names.badRate}[${spec.period}])`,
        '  /',
        `  sum_over_time(${names.totalRate}[${spec.period}])`,
        `) / ${budgetOf(slo)}`,
      ].join('\n'),
    },
  ];
}

/** Replaces the spec's own placeholders; Prometheus renders the `{{ }}` parts. */
export const fill = (slo: Slo, text: string) =>
  text
    .replaceAll('{objective}', objectiveText(slo))
    .replaceAll('{le}', slo.sli.kind === 'latency' ? slo.sli.le : '');

const words = (slo: Slo) => slo.name.replaceAll('_', ' ');

function alertingRules(spec: SloSpec, slo: Slo): AlertingRule[] {
  const names = seriesOf(spec, slo);
  const budget = budgetOf(slo);
  return (['page', 'ticket'] as const).map((kind) => {
    const rate = spec.burnRates[kind];
    const pairs = rate.windows.map((w) =>
      [
        '  (',
        `    ${names.ratio(w.long)} > (${w.factor} * ${budget})`,
        `    and ${names.ratio(w.short)} > (${w.factor} * ${budget})`,
        '  )',
      ].join('\n'),
    );
    const guard = names.guard(rate.windows[0]?.long ?? '1h');
    const name = `${slo.alert}Burn${kind === 'page' ? 'Fast' : 'Slow'}`;
    return {
      alert: name,
      expr: `(\n${pairs.join('\n  or\n')}\n)\nand ${guard} >= ${slo.guard[kind]}`,
      for: rate.for,
      labels: { severity: rate.severity, slo: slo.name },
      annotations: {
        summary:
          kind === 'page'
            ? `${slo.subject} is burning its ${words(slo)} error budget fast`
            : `${slo.subject} is slowly eating its ${words(slo)} error budget`,
        description: fill(slo, kind === 'page' ? slo.fast : slo.slow),
        runbook_url: `${spec.runbookBase}${name}.md`,
      },
    };
  });
}

/** The two rule files' contents: recording groups (one per SLO) and one group of alerts. */
export function sloRuleGroups(spec: SloSpec) {
  return {
    recording: spec.slos.map((slo) => ({
      name: `inferwatch-slo-${slo.name.replaceAll('_', '-')}`,
      rules: recordingRules(spec, slo),
    })),
    alerts: [{ name: 'inferwatch-slo-alerts', rules: spec.slos.flatMap((slo) => alertingRules(spec, slo)) }],
  };
}
