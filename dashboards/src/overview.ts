import { type DashboardSpec, sel } from './panels.ts';

const requests = `inferwatch_gateway_requests_total{${sel.model}, ${sel.region}}`;
const attempts = `inferwatch_gateway_attempts_total{${sel.provider}, ${sel.model}, ${sel.region}}`;
// GenAI client metrics of real client traffic (probe traffic carries inferwatch_synthetic="true").
const genAi = `${sel.provider}, ${sel.model}, ${sel.region}, inferwatch_synthetic!="true"`;
const quantiles = (metric: string, by: string, filter: string) =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}{${filter}}[$__rate_interval])))`,
    legend: `p${q * 100}${by ? ` {{${by}}}` : ''}`,
  }));

export const overview: DashboardSpec = {
  uid: 'inferwatch-overview',
  title: 'inferwatch / Overview',
  description:
    'Client traffic through the gateway: volume, errors by class, latency, time to first token, tokens.',
  rows: [
    {
      title: 'Traffic',
      panels: [
        {
          title: 'Requests/s',
          description: 'Client requests answered by the gateway.',
          kind: 'stat',
          unit: 'reqps',
          width: 6,
          queries: [{ expr: `sum(rate(${requests}[$__rate_interval]))` }],
        },
        {
          title: 'Client error ratio',
          description: 'Share of client requests that ended in an error after retries and failover.',
          kind: 'stat',
          unit: 'percentunit',
          width: 6,
          queries: [
            {
              expr: `(sum(rate(inferwatch_gateway_requests_total{inferwatch_outcome="error", ${sel.model}, ${sel.region}}[$__rate_interval])) or vector(0)) / sum(rate(${requests}[$__rate_interval]))`,
            },
          ],
        },
        {
          title: 'Requests/s by outcome',
          description: 'Client requests by outcome and streaming mode.',
          kind: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (inferwatch_outcome, inferwatch_stream) (rate(${requests}[$__rate_interval]))`,
              legend: '{{inferwatch_outcome}} stream={{inferwatch_stream}}',
            },
          ],
        },
        {
          title: 'Upstream error ratio by error class',
          description:
            'Failed upstream attempts per error class (429 apart from 5xx, timeouts, ...), over all attempts.',
          kind: 'timeseries',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum by (error_type) (rate(inferwatch_gateway_attempts_total{inferwatch_outcome="error", ${sel.provider}, ${sel.model}, ${sel.region}}[$__rate_interval])) / scalar(sum(rate(${attempts}[$__rate_interval])))`,
              legend: '{{error_type}}',
            },
          ],
        },
        {
          title: 'Attempts/s by provider',
          description: 'Upstream attempts per provider and outcome (retries and failovers included).',
          kind: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (inferwatch_provider_name, inferwatch_outcome) (rate(${attempts}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}} {{inferwatch_outcome}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'Client-visible latency',
          description: 'Request duration across the whole chain (retries and failover included).',
          kind: 'timeseries',
          unit: 's',
          queries: quantiles(
            'inferwatch_gateway_request_duration_seconds_bucket',
            '',
            `${sel.model}, ${sel.region}`,
          ),
        },
        {
          title: 'Upstream latency p95 by provider',
          description: 'gen_ai.client.operation.duration per provider; exemplars link to traces.',
          kind: 'timeseries',
          unit: 's',
          exemplars: true,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, inferwatch_provider_name) (rate(gen_ai_client_operation_duration_seconds_bucket{${genAi}}[$__rate_interval])))`,
              legend: '{{inferwatch_provider_name}}',
            },
          ],
        },
        {
          title: 'Time to first token',
          description: 'gen_ai.client.operation.time_to_first_chunk of streaming attempts.',
          kind: 'timeseries',
          unit: 's',
          queries: quantiles(
            'gen_ai_client_operation_time_to_first_chunk_seconds_bucket',
            'inferwatch_provider_name',
            genAi,
          ).slice(0, 2),
        },
        {
          title: 'Gateway overhead',
          description: 'Time the gateway itself adds on top of waiting for upstreams.',
          kind: 'timeseries',
          unit: 's',
          queries: quantiles('inferwatch_gateway_overhead_seconds_bucket', '', sel.region),
        },
        {
          title: 'Span latency p95 (trace exemplars)',
          description: 'Span metrics from the Collector: click an exemplar to open the trace in Tempo.',
          kind: 'timeseries',
          unit: 's',
          exemplars: true,
          width: 24,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, span_name) (rate(traces_span_metrics_duration_seconds_bucket{${sel.region}}[$__rate_interval])))`,
              legend: '{{span_name}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Tokens',
      panels: [
        {
          title: 'Tokens/s',
          description: 'Input and output tokens per second (sum of gen_ai.client.token.usage).',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (gen_ai_token_type) (rate(gen_ai_client_token_usage_sum{${genAi}}[$__rate_interval]))`,
              legend: '{{gen_ai_token_type}}',
            },
          ],
        },
        {
          title: 'Tokens per request',
          description: 'Average input and output tokens per operation, by model.',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (gen_ai_token_type, gen_ai_request_model) (rate(gen_ai_client_token_usage_sum{${genAi}}[$__rate_interval])) / sum by (gen_ai_token_type, gen_ai_request_model) (rate(gen_ai_client_token_usage_count{${genAi}}[$__rate_interval]))`,
              legend: '{{gen_ai_request_model}} {{gen_ai_token_type}}',
            },
          ],
        },
        {
          title: 'Tokens/min by model',
          description:
            'Input and output tokens a minute, by model: every answered attempt, streams included (estimated where the upstream sent no usage).',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `60 * sum by (gen_ai_request_model, gen_ai_token_type) (rate(gen_ai_client_token_usage_sum{${genAi}}[$__rate_interval]))`,
              legend: '{{gen_ai_request_model}} {{gen_ai_token_type}}',
            },
          ],
        },
        {
          title: 'Output tokens/s per stream (generation speed)',
          description:
            'Median and p10 of each stream’s output tokens per second after its first token, by provider and model (inferwatch.gateway.output_tokens).',
          kind: 'timeseries',
          unit: 'short',
          queries: [0.5, 0.1].map((q) => ({
            expr: `histogram_quantile(${q}, sum by (le, inferwatch_provider_name, gen_ai_request_model) (rate(inferwatch_gateway_output_tokens_per_second_bucket{${sel.provider}, ${sel.model}, ${sel.region}}[$__rate_interval])))`,
            legend: `p${q * 100} {{inferwatch_provider_name}} / {{gen_ai_request_model}}`,
          })),
        },
      ],
    },
    {
      title: 'Cost',
      panels: [
        {
          title: 'Cost by client (USD/h)',
          description:
            'Spend per hour by API key name (inferwatch.client; `anonymous` when the gateway is open), from providers[].pricing. Unpriced models count nothing.',
          kind: 'timeseries',
          unit: 'currencyUSD',
          queries: [
            {
              expr: `3600 * sum by (inferwatch_client) (rate(inferwatch_gateway_cost_usd_total{${sel.provider}, ${sel.model}, ${sel.region}}[$__rate_interval]))`,
              legend: '{{inferwatch_client}}',
            },
          ],
        },
        {
          title: 'Cost by model (USD/h)',
          description: 'Spend per hour by provider and upstream model, from providers[].pricing.',
          kind: 'timeseries',
          unit: 'currencyUSD',
          queries: [
            {
              expr: `3600 * sum by (inferwatch_provider_name, gen_ai_request_model) (rate(inferwatch_gateway_cost_usd_total{${sel.provider}, ${sel.model}, ${sel.region}}[$__rate_interval]))`,
              legend: '{{inferwatch_provider_name}} / {{gen_ai_request_model}}',
            },
          ],
        },
      ],
    },
  ],
};
