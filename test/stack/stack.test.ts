import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../required-tools.ts';
import { binaryRequirements } from './binaries.ts';
import { dashboardAnnotations, dashboardQueries } from './dashboard-queries.ts';
import { metricsPayload, postOtlp, spanPayload } from './otlp-json.ts';
import { type Stack, startStack } from './stack.ts';
import { startWebhookRecorder, type WebhookRecorder } from './webhook-recorder.ts';

const ready = requireTools(binaryRequirements(['otelcol', 'prometheus', 'alertmanager']));

// What an inferwatch process sends, minus the SDK: resource attributes include some that must NOT
// become labels (process.pid, telemetry.sdk.*, service.version).
const resource = {
  'service.name': 'inferwatch',
  'service.instance.id': 'stack-test-1',
  'service.version': '0.1.0',
  'cloud.region': 'eu-west-1',
  'process.pid': 4242,
  'telemetry.sdk.name': 'opentelemetry',
};
const traceId = '5b8efff798038103d269b633813fc60c';

describe.skipIf(!ready)('native stack: Collector → Prometheus → Alertmanager', () => {
  let stack: Stack;
  let recorder: WebhookRecorder;
  beforeAll(async () => {
    recorder = await startWebhookRecorder();
    stack = await startStack({ webhookURL: recorder.url, webhookToken: 'stack-token' });
  });
  afterAll(async () => {
    await stack?.stop();
    await recorder?.close();
  });

  it('turns OTLP metrics into Prometheus series with suffixed names and resource labels', async () => {
    const send = (failovers: number) =>
      postOtlp(
        stack.otlpHttpURL,
        'metrics',
        metricsPayload(resource, [
          {
            name: 'inferwatch.build.info',
            unit: '',
            kind: 'gauge',
            value: 1,
            attributes: { version: '0.1.0' },
          },
          {
            name: 'inferwatch.gateway.failovers',
            unit: '{failover}',
            kind: 'counter',
            value: failovers,
            attributes: { from: 'sim-primary', to: 'sim-backup', reason: 'server_error' },
          },
          {
            name: 'gen_ai.client.operation.duration',
            unit: 's',
            kind: 'histogram',
            bounds: [0.5, 10.24],
            counts: [3, 1, 0],
            sum: 2,
            attributes: { 'inferwatch.provider.name': 'sim-primary', 'gen_ai.request.model': 'sim-small' },
          },
        ]),
      );
    await send(1);
    await expect
      .poll(async () => (await stack.prometheus.series('inferwatch_gateway_failovers_total')).length, {
        timeout: 20_000,
      })
      .toBe(1);
    const [series] = await stack.prometheus.series('inferwatch_gateway_failovers_total');
    expect(series).toMatchObject({
      from: 'sim-primary',
      to: 'sim-backup',
      cloud_region: 'eu-west-1',
      service_name: 'inferwatch',
      service_instance_id: 'stack-test-1',
      job: 'inferwatch',
      instance: 'stack-test-1',
    });
    expect(series).not.toHaveProperty('process_pid');
    expect(series).not.toHaveProperty('telemetry_sdk_name');
    expect(series).not.toHaveProperty('service_version');
    const buckets = await stack.prometheus.series('gen_ai_client_operation_duration_seconds_bucket');
    expect(buckets.map((labels) => labels.le).sort()).toEqual(['+Inf', '0.5', '10.24']);
  });

  it('accepts every dashboard panel and annotation query as valid PromQL', async () => {
    for (const { file, panel, expr } of dashboardQueries()) {
      await expect(stack.prometheus.query(expr), `${file} / ${panel}`).resolves.toBeInstanceOf(Array);
    }
    for (const { file, name, expr } of dashboardAnnotations()) {
      await expect(stack.prometheus.query(expr), `${file} / annotation ${name}`).resolves.toBeInstanceOf(
        Array,
      );
    }
  });

  it('exports spans to the trace file and span metrics with trace exemplars', async () => {
    await postOtlp(
      stack.otlpHttpURL,
      'traces',
      spanPayload(resource, { traceId, spanId: '8a3c60f7d188f8fa', name: 'chat sim-small' }),
    );
    await expect
      .poll(() => readFileSync(stack.tracesFile, 'utf8').includes(traceId), { timeout: 20_000 })
      .toBe(true);
    await expect
      .poll(
        async () => {
          const now = Date.now() / 1000;
          const url = `${stack.prometheusURL}/api/v1/query_exemplars?${new URLSearchParams({
            query: 'traces_span_metrics_duration_seconds_bucket{span_name="chat sim-small"}',
            start: String(now - 300),
            end: String(now),
          })}`;
          const body = (await (await fetch(url)).json()) as {
            data: { exemplars: { labels: Record<string, string> }[] }[];
          };
          return body.data.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id));
        },
        { timeout: 20_000 },
      )
      .toContain(traceId);
  });

  it('fires an alert and Alertmanager posts it to the webhook with the bearer token', async () => {
    // Prometheus scrapes the Collector's own telemetry (job otelcol).
    await expect
      .poll(() => stack.prometheus.query('up{job="otelcol"} == 1'), { timeout: 20_000 })
      .toHaveLength(1);
    // A breaker reported open for more than a minute fires InferwatchCircuitBreakerOpen (for: 1m).
    const breakerOpen = () =>
      postOtlp(
        stack.otlpHttpURL,
        'metrics',
        metricsPayload(resource, [
          {
            name: 'inferwatch.gateway.circuit.status',
            unit: '{state}',
            kind: 'gauge',
            value: 1,
            attributes: {
              'inferwatch.provider.name': 'sim-primary',
              'gen_ai.request.model': 'sim-small',
              'inferwatch.circuit.state': 'open',
            },
          },
        ]),
      );
    const keepOpen = setInterval(() => void breakerOpen().catch(() => {}), 2_000);
    try {
      await breakerOpen();
      await expect
        .poll(() => recorder.received.map((hook) => hook.body.groupLabels.alertname), {
          timeout: 100_000,
          interval: 1_000,
        })
        .toContain('InferwatchCircuitBreakerOpen');
    } finally {
      clearInterval(keepOpen);
    }
    const hook = recorder.received.find(
      (r) => r.body.groupLabels.alertname === 'InferwatchCircuitBreakerOpen',
    );
    expect(hook?.authorization).toBe('Bearer stack-token');
    expect(hook?.body).toMatchObject({
      version: '4',
      status: 'firing',
      groupLabels: { inferwatch_provider_name: 'sim-primary', cloud_region: 'eu-west-1' },
    });
    expect(hook?.body.alerts[0]?.annotations.runbook_url).toMatch(/InferwatchCircuitBreakerOpen\.md$/);
    // The same group paged the person on call through Alertmanager's own PagerDuty integration.
    const paged = () =>
      stack.pagerduty
        .accepted()
        .filter((event) =>
          String(event.payload?.custom_details?.runbook).endsWith('InferwatchCircuitBreakerOpen.md'),
        );
    await expect.poll(() => paged().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(paged()[0]).toMatchObject({
      event_action: 'trigger',
      payload: { severity: 'warning', summary: 'Circuit breaker open for sim-primary/sim-small' },
    });
  }, 120_000);

  it('sends the Watchdog heartbeat to the dead man’s switch, and Prometheus scrapes Alertmanager', async () => {
    await expect
      .poll(() => stack.heartbeats.received.map((hook) => hook.body.groupLabels.alertname), {
        timeout: 30_000,
      })
      .toContain('InferwatchWatchdog');
    expect(
      stack.heartbeats.received.every((hook) => hook.body.groupLabels.alertname === 'InferwatchWatchdog'),
    ).toBe(true);
    await expect
      .poll(() => stack.prometheus.query('alertmanager_notifications_total{integration="webhook"}'), {
        timeout: 20_000,
      })
      .not.toHaveLength(0);
  }, 40_000);
});
