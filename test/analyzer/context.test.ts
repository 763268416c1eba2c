import { afterEach, describe, expect, it } from 'vitest';
import { relatedQueries } from '../../src/analyzer/context.ts';
import { startFakePrometheus } from '../fakes/analyzer-prometheus.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { alertGroup, startAnalyzer } from './harness.ts';
import { startScriptedLlm } from './scripted-llm.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const expr =
  'sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total{inferwatch_outcome="error"}[5m])) > 1';
const generatorURL = `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;

describe('analysis context', () => {
  it('reads the rule PromQL, related series and other firing alerts, and classifies from them', async () => {
    const prometheus = await startFakePrometheus(
      {
        [expr]: [{ metric: { inferwatch_provider_name: 'openai' }, value: 4.2 }],
        [relatedQueries.errorsByClass]: [
          { metric: { inferwatch_provider_name: 'openai', error_type: 'rate_limited' }, value: 4.2 },
          { metric: { inferwatch_provider_name: 'openai', error_type: 'server_error' }, value: 0.1 },
        ],
        [relatedQueries.attemptsByProvider]: [{ metric: { inferwatch_provider_name: 'openai' }, value: 6 }],
      },
      [{ labels: { alertname: 'FailoverStorm', severity: 'warning' }, fingerprint: 'other' }],
    );
    cleanups.push(prometheus.close);
    const fake = await startScriptedLlm('good');
    cleanups.push(fake.close);
    const receivers = await startReceivers();
    cleanups.push(receivers.close);
    const analyzer = await startAnalyzer({
      analyzer: {
        prometheusURL: prometheus.url,
        alertmanagerURL: prometheus.url,
        llm: { baseURL: fake.baseURL, model: 'fake' },
        notify: [{ type: 'webhook', url: `${receivers.url}/hook` }],
      },
    });
    cleanups.push(analyzer.stop);
    await analyzer.post(alertGroup({ alertname: 'ProviderErrorRateHigh', generatorURL }));
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(prometheus.queries).toContain(expr);
    const body = receivers.delivered('/hook')[0]?.body as { category: string; evidence: string[] };
    expect(body.category).toBe('provider_quota');
    expect(body.evidence.join(' ')).toContain('error_type="rate_limited" at 4.2/s');
    const sent = JSON.parse(
      (fake.last?.body as { messages?: { content: string }[] } | undefined)?.messages?.[1]?.content ?? '{}',
    );
    expect(sent.context.expr.series[0]).toMatchObject({ first: 4.2, last: 12.6 });
    expect(sent.context.otherFiring).toEqual([
      { alertname: 'FailoverStorm', labels: { severity: 'warning' } },
    ]);
  });

  it('does not let a hanging Prometheus block the notification', async () => {
    const prometheus = await startFakePrometheus();
    prometheus.setHang(true);
    cleanups.push(prometheus.close);
    const receivers = await startReceivers();
    cleanups.push(receivers.close);
    const analyzer = await startAnalyzer({
      analyzer: {
        prometheusURL: prometheus.url,
        contextTimeoutMs: 300,
        notify: [{ type: 'webhook', url: `${receivers.url}/hook` }],
      },
    });
    cleanups.push(analyzer.stop);
    const started = Date.now();
    await analyzer.post(alertGroup({ generatorURL }));
    await expect.poll(() => receivers.delivered('/hook').length, { timeout: 5_000 }).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
