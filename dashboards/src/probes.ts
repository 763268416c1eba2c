import { type DashboardSpec, sel } from './panels.ts';

// Probes carry no provider or model label: the dashboard narrows by probe target and region instead.
const r = `${sel.target}, ${sel.region}`;

export const probes: DashboardSpec = {
  uid: 'inferwatch-probes',
  title: 'inferwatch / Probes',
  description:
    'Synthetic checks from every region: success, HTTP status, latency, time to first token, certificates.',
  variables: ['target', 'region'],
  rows: [
    {
      title: 'Availability',
      panels: [
        {
          title: 'Probe success by target × region',
          description: 'probe_success of the last run (1 ok, 0 failed), as blackbox_exporter.',
          kind: 'timeseries',
          unit: 'bool_yes_no',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, cloud_region) (probe_success{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Target up (after anti-flap thresholds)',
          description:
            'probe_target_up: the state alerts use (consecutive-failure and recovery thresholds applied).',
          kind: 'timeseries',
          unit: 'bool_yes_no',
          queries: [
            {
              expr: `min by (inferwatch_probe_target, cloud_region) (probe_target_up{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Run success ratio (5m)',
          description: 'Successful runs over all runs in 5 minutes, per target and region.',
          kind: 'timeseries',
          unit: 'percentunit',
          queries: [
            {
              expr: `target_region:probe_runs_success:ratio_rate5m{${r}}`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Uptime (5m, 429s excluded)',
          description:
            'The uptime alert (InferwatchProbeUptimeLow) and its 95% line: successful runs over the runs that were not rate limited, per target and region. A gap to the run success ratio is 429s.',
          kind: 'timeseries',
          unit: 'percentunit',
          queries: [
            {
              expr: `target_region:probe_runs_success_excluding_rate_limited:ratio_rate5m{${r}}`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
            { expr: 'vector(0.95)', legend: 'alert below 95%' },
          ],
        },
        {
          title: 'HTTP status by target',
          description:
            'HTTP probes: the status code of the last response per target and region (0 when no response came).',
          kind: 'timeseries',
          unit: 'none',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, cloud_region) (probe_http_status_code{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Failed runs by error class',
          description: 'timeout, connect, rate_limited, server_error, bad response, canary ...',
          kind: 'timeseries',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (inferwatch_probe_target, error_type) (rate(probe_runs_total{inferwatch_outcome="error", ${r}}[$__rate_interval]))`,
              legend: '{{inferwatch_probe_target}} {{error_type}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'Probe duration by region',
          description: 'Duration of the last run of each probe.',
          kind: 'timeseries',
          unit: 's',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, cloud_region) (probe_duration_seconds{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Time to first token by region',
          description: 'Model probes: time to the first streamed content.',
          kind: 'timeseries',
          unit: 's',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, cloud_region) (probe_model_time_to_first_token_seconds{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Output tokens/s by region',
          description: 'Model probes: output tokens / (total - TTFT).',
          kind: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, cloud_region) (probe_model_output_tokens_per_second{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'HTTP phases',
          description: 'HTTP probes: dns, connect, tls, processing, transfer.',
          kind: 'timeseries',
          unit: 's',
          queries: [
            {
              expr: `max by (inferwatch_probe_target, inferwatch_probe_phase) (probe_http_duration_seconds{${r}})`,
              legend: '{{inferwatch_probe_target}} {{inferwatch_probe_phase}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Quality and certificates',
      panels: [
        {
          title: 'Quality canary',
          description: 'Whether the canary prompt got the expected answer (1) or not (0).',
          kind: 'timeseries',
          unit: 'bool_yes_no',
          queries: [
            {
              expr: `min by (inferwatch_probe_target, cloud_region) (probe_canary_success{${r}})`,
              legend: '{{inferwatch_probe_target}} @ {{cloud_region}}',
            },
          ],
        },
        {
          title: 'Certificate expiry (days)',
          description: 'Days until the earliest certificate in the chain expires (HTTPS probes).',
          kind: 'stat',
          unit: 'd',
          queries: [
            {
              expr: `(min by (inferwatch_probe_target) (probe_ssl_earliest_cert_expiry{${r}} > 0) - time()) / 86400`,
              legend: '{{inferwatch_probe_target}}',
            },
          ],
        },
      ],
    },
  ],
};
