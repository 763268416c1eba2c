import { type DashboardSpec, sel } from './panels.ts';

const pm = `${sel.provider}, ${sel.model}, ${sel.region}`;

export const providers: DashboardSpec = {
  uid: 'inferwatch-providers',
  title: 'inferwatch / Providers',
  description: 'Per provider and model: circuit breakers, failovers, retries and error classes.',
  rows: [
    {
      title: 'Circuit breakers',
      panels: [
        {
          title: 'Breaker state',
          description:
            'Per target: closed, half-open (trial requests) or open (skipped, traffic fails over).',
          kind: 'breaker-timeline',
          width: 24,
          queries: [
            {
              // 0 closed, 1 half-open, 2 open, from the one-series-per-state gauge.
              expr: `max by (inferwatch_provider_name, gen_ai_request_model) (inferwatch_gateway_circuit_status{inferwatch_circuit_state="half_open", ${pm}}) + 2 * max by (inferwatch_provider_name, gen_ai_request_model) (inferwatch_gateway_circuit_status{inferwatch_circuit_state="open", ${pm}})`,
              legend: '{{inferwatch_provider_name}} / {{gen_ai_request_model}}',
            },
          ],
        },
        {
          title: 'Breaker transitions',
          description: 'State changes per target and destination state.',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (inferwatch_provider_name, inferwatch_circuit_to_state) (increase(inferwatch_gateway_circuit_transitions_total{${pm}}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}} → {{inferwatch_circuit_to_state}}',
            },
          ],
        },
        {
          title: 'Success ratio by provider',
          description: 'Successful upstream attempts over all attempts.',
          kind: 'timeseries',
          unit: 'percentunit',
          queries: [
            {
              expr: `(sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total{inferwatch_outcome="success", ${pm}}[$__rate_interval])) or 0 * sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total{${pm}}[$__rate_interval]))) / sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total{${pm}}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Failover and retries',
      panels: [
        {
          title: 'Failovers from → to',
          description: 'Moves from one provider to the next in a chain.',
          kind: 'timeseries',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (inferwatch_failover_from, inferwatch_failover_to) (rate(inferwatch_gateway_failovers_total{inferwatch_failover_from=~"$provider", ${sel.region}}[$__rate_interval]))`,
              legend: '{{inferwatch_failover_from}} → {{inferwatch_failover_to}}',
            },
          ],
        },
        {
          title: 'Failovers by reason',
          description:
            'Why the gateway moved on: error class, or circuit_open when the breaker skipped the target.',
          kind: 'timeseries',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (inferwatch_reason) (rate(inferwatch_gateway_failovers_total{inferwatch_failover_from=~"$provider", ${sel.region}}[$__rate_interval]))`,
              legend: '{{inferwatch_reason}}',
            },
          ],
        },
        {
          title: 'Retries by reason',
          description:
            'Retries against the same target (exponential backoff with jitter, Retry-After honoured).',
          kind: 'timeseries',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (inferwatch_provider_name, inferwatch_reason) (rate(inferwatch_gateway_retries_total{${pm}}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}} {{inferwatch_reason}}',
            },
          ],
        },
        {
          title: 'Wait for a request slot (p95) by provider',
          description:
            'Providers with maxConnections only: how long requests waited for a slot (0 while the cap is not reached). Queued requests right now: GET /api/providers.',
          kind: 'timeseries',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, inferwatch_provider_name) (rate(inferwatch_gateway_pool_wait_seconds_bucket{${sel.provider}, ${sel.region}}[$__rate_interval])))`,
              legend: '{{inferwatch_provider_name}}',
            },
          ],
        },
        {
          title: 'Rate limited (429) by provider',
          description: 'Upstream 429s, tracked apart from 5xx (not counted as unavailability).',
          kind: 'timeseries',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total{error_type="rate_limited", ${pm}}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}}',
            },
          ],
        },
      ],
    },
  ],
};
