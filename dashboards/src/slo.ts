import { type DashboardSpec, type PanelSpec, sel } from './panels.ts';

const pm = `${sel.provider}, ${sel.model}`;

/** Error ratio over two windows and the burn rate against the budget (alerts/rules/slo-*.yml). */
const sloPanels = (slo: 'availability' | 'latency', series: string, budget: number): PanelSpec[] => [
  {
    title: `${slo === 'availability' ? 'Error' : 'Slow'} ratio (5m, 1h)`,
    description: `The ${slo} SLI per provider and model; the budget is ${budget * 100}%.`,
    kind: 'timeseries',
    unit: 'percentunit',
    queries: ['5m', '1h'].map((window) => ({
      expr: `provider_model:${series}:ratio_rate${window}{${pm}}`,
      legend: `{{gen_ai_provider_name}}/{{gen_ai_request_model}} ${window}`,
    })),
  },
  {
    title: 'Burn rate (1h)',
    description: 'How many times faster than allowed the budget burns; pages at 14.4 (1h) and 6 (6h).',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      {
        expr: `provider_model:${series}:ratio_rate1h{${pm}} / ${budget}`,
        legend: '{{gen_ai_provider_name}}/{{gen_ai_request_model}}',
      },
    ],
  },
];

export const slo: DashboardSpec = {
  uid: 'inferwatch-slo',
  title: 'inferwatch / SLO burn',
  description: 'Availability (99.5%) and latency (99% under 10.24 s) SLOs per provider and model.',
  rows: [
    {
      title: 'Availability (objective 99.5%)',
      panels: [
        ...sloPanels('availability', 'inferwatch_slo_availability_errors', 0.005),
        {
          title: 'Availability over 3 days',
          description: '1 - error ratio over the longest recorded window.',
          kind: 'stat',
          unit: 'percentunit',
          width: 24,
          queries: [
            {
              expr: `1 - provider_model:inferwatch_slo_availability_errors:ratio_rate3d{${pm}}`,
              legend: '{{gen_ai_provider_name}}/{{gen_ai_request_model}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Latency (objective 99% under 10.24 s)',
      panels: sloPanels('latency', 'inferwatch_slo_latency_slow', 0.01),
    },
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
