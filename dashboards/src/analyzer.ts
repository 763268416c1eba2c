import type { DashboardSpec } from './panels.ts';

export const analyzer: DashboardSpec = {
  uid: 'inferwatch-analyzer',
  title: 'inferwatch / Analyzer',
  description: 'Alerts received from Alertmanager, how they were explained, and the notifications sent.',
  rows: [
    {
      title: 'Alerts and analyses',
      panels: [
        {
          title: 'Alerts received',
          description: 'Alerts in Alertmanager webhooks, by status (firing, resolved).',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (inferwatch_alert_status) (increase(inferwatch_analyzer_alerts_received_total[$__rate_interval]))',
              legend: '{{inferwatch_alert_status}}',
            },
          ],
        },
        {
          title: 'Analyses by category',
          description: 'Alert groups explained, by category and severity.',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (inferwatch_analysis_category, inferwatch_analysis_severity) (increase(inferwatch_analyzer_analyses_total[$__rate_interval]))',
              legend: '{{inferwatch_analysis_category}} ({{inferwatch_analysis_severity}})',
            },
          ],
        },
        {
          title: 'Analyses by source',
          description: 'Explained by the LLM, or by the rules when the LLM failed or is not configured.',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (inferwatch_analysis_source) (increase(inferwatch_analyzer_analyses_total[$__rate_interval]))',
              legend: '{{inferwatch_analysis_source}}',
            },
          ],
        },
      ],
    },
    {
      title: 'LLM',
      panels: [
        {
          title: 'LLM latency',
          description: "Duration of the analyzer's own LLM calls.",
          kind: 'timeseries',
          unit: 's',
          queries: [0.5, 0.95].map((q) => ({
            expr: `histogram_quantile(${q}, sum by (le) (rate(inferwatch_analyzer_llm_duration_seconds_bucket[$__rate_interval])))`,
            legend: `p${q * 100}`,
          })),
        },
        {
          title: 'LLM fallbacks by reason',
          description:
            'Analyses that used the rule-based explanation instead (timeout, error, invalid output).',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (inferwatch_reason) (increase(inferwatch_analyzer_llm_fallbacks_total[$__rate_interval]))',
              legend: '{{inferwatch_reason}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Notifications',
      panels: [
        {
          title: 'Notifications by notifier and outcome',
          description: 'Delivery attempts: sent, retrying, failed.',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (inferwatch_notifier, inferwatch_outcome) (increase(inferwatch_analyzer_notifications_total[$__rate_interval]))',
              legend: '{{inferwatch_notifier}} {{inferwatch_outcome}}',
            },
          ],
        },
        {
          title: 'Outbox pending',
          description: 'Notifications queued and not yet delivered.',
          kind: 'stat',
          unit: 'short',
          queries: [{ expr: 'sum(inferwatch_analyzer_outbox_pending)' }],
        },
      ],
    },
  ],
};
