import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { requireTools } from '../required-tools.ts';
import { binaryRequirements } from '../stack/binaries.ts';
import { dashboardQueries, dashboardVariables } from '../stack/dashboard-queries.ts';
import { postOtlp, spanPayload } from '../stack/otlp-json.ts';
import { oncallRoutingKey, type Stack, startStack } from '../stack/stack.ts';
import { type E2eEndpoints, gatewayConfig, proberConfig } from './configs.ts';
import { type InferwatchProcess, startInferwatch } from './inferwatch-process.ts';
import { readSpans } from './spans.ts';
import { postChat, startTraffic, type Traffic } from './traffic.ts';

const ready = requireTools(binaryRequirements(['otelcol', 'prometheus', 'alertmanager']));

/**
 * Panels whose queries can only have data in situations this run does not create. Everything else on
 * every dashboard must return data, or the test fails.
 */
const panelsWithoutData: Record<string, string> = {
  'Rate limited (429) by provider': 'the run injects an outage, not a quota: no upstream answers 429',
  'Certificate expiry (days)': 'the probes use plain HTTP on loopback: there is no certificate',
};

const webhookToken = 'e2e-webhook-token';
const traceId = randomBytes(16).toString('hex');
const clientSpanId = randomBytes(8).toString('hex');

describe.skipIf(!ready)('end to end: inferwatch → Collector → Prometheus → Alertmanager → analyzer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-e2e-'));
  const started: InferwatchProcess[] = [];
  let stack: Stack;
  let gateway: InferwatchProcess;
  let traffic: Traffic | undefined;
  let upstreamTraceparent: string | undefined;
  const query = (expr: string) => stack.prometheus.query(expr);
  const value = async (expr: string) => Number((await query(expr))[0]?.value[1] ?? Number.NaN);

  beforeAll(async () => {
    const [gatewayPort, proberA, proberB] = await Promise.all([freePort(), freePort(), freePort()]);
    stack = await startStack({
      webhookURL: `http://127.0.0.1:${gatewayPort}/api/alertmanager`,
      webhookToken,
    });
    const endpoints: E2eEndpoints = {
      ...stack,
      webhookToken,
      dir,
      pagerdutyURL: stack.pagerduty.url,
      routingKey: oncallRoutingKey,
    };
    gateway = await startInferwatch({
      name: 'gateway',
      role: 'start',
      port: gatewayPort,
      config: gatewayConfig(endpoints, gatewayPort),
      dir,
    });
    started.push(gateway);

    // One request traced from the client: its span goes to the Collector like an instrumented client's.
    const response = await postChat(gateway.url, false, {
      traceparent: `00-${traceId}-${clientSpanId}-01`,
    });
    expect(response.status).toBe(200);
    const lastRequest = (await (
      await fetch(`${gateway.url}/simulator/_sim/primary/last-request`)
    ).json()) as {
      headers: Record<string, string>;
    };
    upstreamTraceparent = lastRequest.headers.traceparent;
    await postOtlp(
      stack.otlpHttpURL,
      'traces',
      spanPayload(
        { 'service.name': 'e2e-client' },
        { traceId, spanId: clientSpanId, name: 'POST /v1/chat/completions' },
      ),
    );

    for (const [name, port, region] of [
      ['prober-eu', proberA, 'eu-west-1'],
      ['prober-us', proberB, 'us-east-1'],
    ] as const) {
      started.push(
        await startInferwatch({
          name,
          role: 'probe',
          port,
          config: proberConfig(endpoints, port, gateway.url, region),
          dir,
        }),
      );
    }
    traffic = startTraffic(gateway.url);
  }, 90_000);

  afterAll(async () => {
    await traffic?.stop();
    await Promise.all(started.map((process) => process.stop()));
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports series with Prometheus names and region labels from two probers', async () => {
    await expect
      .poll(
        async () =>
          (await query('count by (cloud_region) (probe_success{inferwatch_probe_target="sim-backup-chat"})'))
            .length,
        {
          timeout: 30_000,
        },
      )
      .toBe(2);
    const regions = (await query('max by (cloud_region) (probe_success)')).map((s) => s.metric.cloud_region);
    expect(regions.sort()).toEqual(['eu-west-1', 'us-east-1']);
    const names = new Set(
      (await query('count by (__name__) ({__name__=~"(gen_ai|inferwatch|probe|traces)_.+"})')).map(
        (s) => s.metric.__name__,
      ),
    );
    for (const name of [
      'inferwatch_build_info',
      'inferwatch_gateway_requests_total',
      'inferwatch_gateway_attempts_total',
      'inferwatch_gateway_circuit_state',
      'inferwatch_gateway_circuit_status',
      'gen_ai_client_operation_duration_seconds_bucket',
      'gen_ai_client_operation_time_to_first_chunk_seconds_bucket',
      'gen_ai_client_token_usage_bucket',
      'probe_success',
      'probe_runs_total',
      'probe_target_up',
      'probe_duration_seconds',
      'probe_model_time_to_first_token_seconds',
      'probe_canary_success',
      'traces_span_metrics_duration_seconds_bucket',
    ]) {
      expect(names, name).toContain(name);
    }
    const [attempt] = await stack.prometheus.series(
      'inferwatch_gateway_attempts_total{inferwatch_outcome="success"}',
    );
    expect(attempt).toMatchObject({
      gen_ai_request_model: 'sim-small',
      service_name: 'inferwatch',
      service_instance_id: 'e2e-inferwatch-eu-west-1',
      cloud_region: 'eu-west-1',
    });
    expect(['sim-primary', 'sim-backup']).toContain(attempt?.inferwatch_provider_name);
  });

  it('an outage of the primary moves the failover counter and opens its breaker', async () => {
    const before =
      (await value('sum(inferwatch_gateway_failovers_total{inferwatch_failover_from="sim-primary"})')) || 0;
    const fault = await fetch(`${gateway.url}/simulator/_sim/primary/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'outage' }),
    });
    expect(fault.ok).toBe(true);
    await expect
      .poll(
        () =>
          value(
            'sum(inferwatch_gateway_failovers_total{inferwatch_failover_from="sim-primary", inferwatch_failover_to="sim-backup"})',
          ),
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(before);
    await expect
      .poll(
        () =>
          value(
            'max(inferwatch_gateway_circuit_status{inferwatch_provider_name="sim-primary", inferwatch_circuit_state="open"})',
          ),
        {
          timeout: 30_000,
        },
      )
      .toBe(1);
    // The deprecated numeric gauge still says so, for one release.
    expect(await value('max(inferwatch_gateway_circuit_state{inferwatch_provider_name="sim-primary"})')).toBe(
      2,
    );
    // Clients kept being served through the backup.
    expect(traffic?.statuses.get(200)).toBeGreaterThan(0);
  });

  it('fires the breaker and multi-region probe alerts, and Alertmanager delivers them to the analyzer', async () => {
    const firing = async () =>
      (await stack.prometheus.alerts()).filter((a) => a.state === 'firing').map((a) => a.labels.alertname);
    await expect
      .poll(firing, { timeout: 120_000, interval: 1_000 })
      .toEqual(expect.arrayContaining(['InferwatchCircuitBreakerOpen', 'InferwatchProbeDownMultiRegion']));
    const analyzed = async () => {
      const response = await fetch(`${gateway.url}/api/analyses`);
      const body = (await response.json()) as { data: { alertname?: string }[] };
      return body.data.map((analysis) => analysis.alertname);
    };
    await expect.poll(analyzed, { timeout: 30_000 }).toContain('InferwatchCircuitBreakerOpen');
    await expect
      .poll(() => value('sum(inferwatch_analyzer_alerts_received_total{inferwatch_alert_status="firing"})'), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
  }, 180_000);

  it('traces one request from the client through the gateway to the simulator', async () => {
    await expect
      .poll(() => readSpans(stack.tracesFile, traceId).length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    const spans = readSpans(stack.tracesFile, traceId);
    const server = spans.find((span) => span.parentSpanId === clientSpanId);
    expect(server?.service).toBe('inferwatch');
    const attempt = spans.find((span) => span.parentSpanId === server?.spanId);
    expect(attempt?.name).toMatch(/^chat /);
    // The simulator received the attempt span's context: the same trace continues upstream.
    expect(upstreamTraceparent).toMatch(new RegExp(`^00-${traceId}-${attempt?.spanId}-0[01]$`));
  });

  it('every dashboard panel query returns data (except the listed panels, which really have none)', async () => {
    // Polled, not sampled once: on a loaded machine some series (the analyzer's) arrive a few export
    // intervals late, and a panel is only wrong if it stays empty.
    const check = async () => {
      const empty: string[] = [];
      const listedButWithData: string[] = [];
      for (const { file, panel, expr } of dashboardQueries()) {
        const series = await stack.prometheus.queryRangeSeries(expr, 120, 5);
        if (panel in panelsWithoutData) {
          if (series > 0) listedButWithData.push(panel);
        } else if (series === 0) empty.push(`${file} / ${panel}: ${expr}`);
      }
      return { empty, listedButWithData };
    };
    await expect
      .poll(check, { timeout: 60_000, interval: 2_000 })
      .toEqual({ empty: [], listedButWithData: [] });
  }, 90_000);

  it('every dashboard variable (provider, model, region) has values to offer', async () => {
    for (const { name, metric, label } of dashboardVariables()) {
      const values = (await query(`count by (${label}) (${metric})`)).map((s) => s.metric[label]);
      expect(values.filter(Boolean).length, `$${name}: label_values(${metric}, ${label})`).toBeGreaterThan(0);
    }
  });

  it("pages the person on call through Alertmanager's PagerDuty integration, and the analyzer's explanation joins that incident", async () => {
    const breaker = () =>
      stack.pagerduty.incidents.filter((incident) =>
        incident.events.some((event) =>
          String(event.payload?.custom_details?.runbook).endsWith('InferwatchCircuitBreakerOpen.md'),
        ),
      );
    await expect
      .poll(() => breaker().flatMap((incident) => incident.events.map((event) => event.payload?.source)), {
        timeout: 30_000,
      })
      .toEqual(expect.arrayContaining(['Alertmanager', 'inferwatch']));
    const [incident] = breaker();
    expect(breaker()).toHaveLength(1); // one incident: the explanation did not open a second one
    expect(incident?.events[0]?.payload?.source).toBe('Alertmanager'); // the page came first
    const explanation = incident?.events.find((event) => event.payload?.source === 'inferwatch');
    expect(explanation?.payload?.custom_details).toMatchObject({ probable_cause: expect.any(String) });
    // And the dead man's switch has its heartbeat.
    expect(stack.heartbeats.received.map((hook) => hook.body.groupLabels.alertname)).toContain(
      'InferwatchWatchdog',
    );
  }, 40_000);

  it('with the inferwatch process killed, an outage still pages the person on call', async () => {
    await traffic?.stop();
    traffic = undefined;
    gateway.process.child.kill('SIGKILL');
    await gateway.stop();
    // The probers in both regions now see the gateway down: a multi-region outage. Alertmanager pages it
    // through its own integration; the analyzer is gone, so only the page arrives.
    const gatewayDown = () =>
      stack.pagerduty
        .accepted()
        .filter(
          (event) =>
            event.event_action === 'trigger' &&
            String(event.payload?.custom_details?.runbook).endsWith('InferwatchProbeDownMultiRegion.md') &&
            String(event.payload?.custom_details?.firing).includes('Probe gateway-health is down'),
        );
    await expect.poll(() => gatewayDown().length, { timeout: 150_000, interval: 1_000 }).toBeGreaterThan(0);
    expect(gatewayDown()[0]?.payload?.source).toBe('Alertmanager');
    // Delivering the same group to the dead analyzer fails, and that failure is paged too.
    await expect
      .poll(
        () =>
          stack.pagerduty
            .accepted()
            .some(
              (event) =>
                String(event.payload?.summary).startsWith('Alertmanager') &&
                String(event.payload?.summary).includes('webhook notifications'),
            ),
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(true);
  }, 240_000);
});
