import { loadSpec, objectiveText, type Slo, seriesOf } from '../../scripts/slo/spec.ts';
import { type DashboardSpec, type PanelSpec, sel } from './panels.ts';

// One row per SLO of alerts/slo/slos.yaml, the file the rules are generated from, so the panels show
// the same objectives and series the alerts use.
const spec = loadSpec();

/** Selector and legend for an SLO's level: per provider and model, or per client-facing model. */
function scope(slo: Slo) {
  const perProvider = slo.by.includes('inferwatch_provider_name');
  return perProvider
    ? {
        match: `${sel.provider}, ${sel.model}`,
        legend: '{{inferwatch_provider_name}}/{{gen_ai_request_model}}',
      }
    : { match: sel.model, legend: '{{gen_ai_request_model}}' };
}

const title = (slo: Slo) => {
  const words = slo.name.replaceAll('_', ' ');
  const threshold = slo.sli.kind === 'latency' ? ` under ${slo.sli.le} s` : '';
  return `${words[0]?.toUpperCase()}${words.slice(1)} (objective ${objectiveText(slo)}${threshold})`;
};

function panels(slo: Slo): PanelSpec[] {
  const { match, legend } = scope(slo);
  const names = seriesOf(spec, slo);
  const budget = Number((1 - slo.objective).toPrecision(10));
  const pageFactors = spec.burnRates.page.windows.map((w) => `${w.factor} (${w.long})`).join(' and ');
  return [
    {
      title: `${slo.sli.kind === 'ratio' ? 'Error' : 'Slow'} ratio (5m, 1h)`,
      description: `The ${slo.name.replaceAll('_', ' ')} SLI; the budget is ${budget * 100}%.`,
      kind: 'timeseries',
      unit: 'percentunit',
      width: 8,
      queries: ['5m', '1h'].map((window) => ({
        expr: `${names.ratio(window)}{${match}}`,
        legend: `${legend} ${window}`,
      })),
    },
    {
      title: 'Burn rate (1h)',
      description: `How many times faster than allowed the budget burns; pages at ${pageFactors}.`,
      kind: 'timeseries',
      unit: 'short',
      width: 8,
      queries: [{ expr: `${names.ratio('1h')}{${match}} / ${budget}`, legend }],
    },
    {
      title: `Error budget remaining (${spec.period})`,
      description: `Share of the ${spec.period} error budget not yet spent; below 0 the objective is missed. Needs ${spec.period} of Prometheus retention to cover the whole period.`,
      kind: 'stat',
      unit: 'percentunit',
      width: 8,
      queries: [{ expr: `${names.budgetRemaining}{${match}}`, legend }],
    },
  ];
}

export const slo: DashboardSpec = {
  uid: 'inferwatch-slo',
  title: 'inferwatch / SLO burn',
  description:
    'The SLOs of alerts/slo/slos.yaml: per provider and model (before failover) and as clients see them (after failover).',
  rows: [
    ...spec.slos.map((one) => ({ title: title(one), panels: panels(one) })),
    {
      title: 'Alerts',
      panels: [
        {
          title: 'Firing inferwatch alerts',
          description: 'ALERTS from Prometheus: what is firing right now.',
          kind: 'timeseries',
          unit: 'short',
          width: 24,
          queries: [
            {
              expr: 'sum by (alertname, severity) (ALERTS{alertstate="firing", alertname=~"Inferwatch.*"})',
              legend: '{{alertname}} ({{severity}})',
            },
          ],
        },
      ],
    },
  ],
};
