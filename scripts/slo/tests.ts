import { fill } from './rules.ts';
import { budgetOf, type Slo, type SloSpec, seriesOf } from './spec.ts';

// promtool unit tests generated from the spec, so the tests move with the objectives: for each SLO, a
// constant bad ratio just above each alert's threshold fires it, and one just below does not. The
// hand-written tests (slo-fast/slo-slow) cover what the SLIs count; these cover where they alert.

interface Scenario {
  file: 'fast' | 'slow';
  alert: string;
  /** Multiple of the budget: above the alert's lowest burn factor, or below it. */
  burning: number;
  steady: number;
  /** Events per input step, steps, step and evaluation time. */
  events: number;
  steps: number;
  interval: string;
  evalTime: string;
}

const scenarios = (spec: SloSpec, slo: Slo): Scenario[] => {
  const lowest = (kind: 'page' | 'ticket') => Math.min(...spec.burnRates[kind].windows.map((w) => w.factor));
  return [
    {
      file: 'fast',
      alert: `${slo.alert}BurnFast`,
      burning: 1.2 * Math.max(...spec.burnRates.page.windows.map((w) => w.factor)),
      steady: 0.8 * lowest('page'),
      events: 100,
      steps: 20,
      interval: '1m',
      evalTime: '15m',
    },
    {
      file: 'slow',
      alert: `${slo.alert}BurnSlow`,
      burning: 1.5 * lowest('ticket'),
      steady: 0.5 * lowest('ticket'),
      events: 1000,
      steps: 80,
      interval: '10m',
      evalTime: '12h',
    },
  ];
};

/** A number as promtool's series notation reads it, without binary noise (8.64, not 8.640000000000001). */
const num = (value: number) => String(Number(value.toPrecision(12)));

/** Go's humanizePercentage: fmt.Sprintf("%.4g%%", v*100). */
const percentage = (value: number) => `${Number((value * 100).toPrecision(4))}%`;

/** Renders the two template forms the spec may use; anything else is a spec error. */
function render(template: string, labels: Record<string, string>, value: number): string {
  const out = template
    .replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, name: string) => labels[name] ?? '')
    .replace(/\{\{ \$value \| humanizePercentage \}\}/g, () => percentage(value));
  if (out.includes('{{'))
    throw new Error(`slos.yaml: a template the test generator cannot render: ${template}`);
  return out;
}

const withLabels = (series: string, labels: string) => {
  const [name, rest = '}'] = series.split('{') as [string, string?];
  const inner = rest.slice(0, -1);
  return `${name}{${[labels, inner].filter(Boolean).join(',')}}`;
};

function inputSeries(slo: Slo, labels: Record<string, string>, ratio: number, s: Scenario) {
  const by = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const counter = (perStep: number) => `0+${num(perStep)}x${s.steps}`;
  const { sli } = slo;
  if (sli.kind === 'ratio')
    return [
      { series: withLabels(sli.examples.good, by), values: counter(s.events * (1 - ratio)) },
      { series: withLabels(sli.examples.bad, by), values: counter(s.events * ratio) },
    ];
  const labelsOf = (extra: string) => [by, sli.examples.labels, extra].filter(Boolean).join(',');
  return [
    { series: `${sli.histogram}_count{${labelsOf('')}}`, values: counter(s.events) },
    {
      series: `${sli.histogram}_bucket{${labelsOf(`le="${sli.le}"`)}}`,
      values: counter(s.events * (1 - ratio)),
    },
  ];
}

function testsFor(spec: SloSpec, slo: Slo, s: Scenario) {
  const budget = budgetOf(slo);
  const labelsFor = (value: string) => Object.fromEntries(slo.by.map((label) => [label, value]));
  const alert = spec.burnRates[s.file === 'fast' ? 'page' : 'ticket'];
  const rendered = (labels: Record<string, string>, ratio: number) => ({
    summary: render(
      s.file === 'fast'
        ? `${slo.subject} is burning its ${slo.name.replaceAll('_', ' ')} error budget fast`
        : `${slo.subject} is slowly eating its ${slo.name.replaceAll('_', ' ')} error budget`,
      labels,
      ratio,
    ),
    description: render(fill(slo, s.file === 'fast' ? slo.fast : slo.slow), labels, ratio),
    runbook_url: `${spec.runbookBase}${s.alert}.md`,
  });
  const one = (state: 'burning' | 'steady') => {
    const labels = labelsFor(state);
    const ratio = (state === 'burning' ? s.burning : s.steady) * budget;
    const test: Record<string, unknown> = {
      name: `${slo.name}: ${state} at ${num(ratio / budget)}x the budget ${state === 'burning' ? 'fires' : 'stays quiet'} (${s.alert})`,
      interval: s.interval,
      input_series: inputSeries(slo, labels, ratio, s),
      alert_rule_test: [
        {
          eval_time: s.evalTime,
          alertname: s.alert,
          exp_alerts:
            state === 'burning'
              ? [
                  {
                    exp_labels: { severity: alert.severity, slo: slo.name, ...labels },
                    exp_annotations: rendered(labels, ratio),
                  },
                ]
              : [],
        },
      ],
    };
    // The error budget left after a constant burn: 1 - ratio / budget over the data there is. (Only with
    // 1-minute steps: a 5-minute rate needs two samples in its window.)
    if (s.file === 'fast')
      test.promql_expr_test = [
        {
          // In hundredths, rounded: the division is not exact in binary floating point.
          expr: `round(100 * ${seriesOf(spec, slo).budgetRemaining})`,
          eval_time: s.evalTime,
          exp_samples: [
            {
              labels: `{${Object.entries(labels)
                .map(([k, v]) => `${k}="${v}"`)
                .join(',')}}`,
              value: Math.round(100 * (1 - ratio / budget)),
            },
          ],
        },
      ];
    return test;
  };
  return [one('burning'), one('steady')];
}

/**
 * The two generated promtool files: fast burns (1-minute steps, 15 minutes) and slow burns (10-minute
 * steps, 12 hours; a constant ratio over 12 hours already fills the 6-hour window of the 1x pair).
 */
export function sloTestFiles(spec: SloSpec, groupOrder: string[]) {
  const file = (kind: 'fast' | 'slow') => ({
    rule_files: ['../rules/slo-recording.yml', '../rules/slo-alerts.yml'],
    evaluation_interval: kind === 'fast' ? '1m' : '10m',
    group_eval_order: groupOrder,
    tests: spec.slos.flatMap((slo) =>
      scenarios(spec, slo)
        .filter((s) => s.file === kind)
        .flatMap((s) => testsFor(spec, slo, s)),
    ),
  });
  return { fast: file('fast'), slow: file('slow') };
}
