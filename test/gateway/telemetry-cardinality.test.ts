import { SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_UNCONFIGURED_MODELS } from '../../src/gateway/targets.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream | undefined;
let gateway: GatewayUnderTest | undefined;

afterEach(async () => {
  await gateway?.stop();
  await upstream?.close();
  gateway = undefined;
  upstream = undefined;
});

const JUNK = 1_000;

describe('gateway metric cardinality', () => {
  it('keeps a thousand client model names on a `*` route to a bounded set of label values', async () => {
    const junk = Array.from({ length: JUNK }, (_, i) => `junk-${i}`);
    // The upstream knows every name and answers with it, so both request and response names are junk.
    upstream = await startSimulatedUpstream({ models: ['gpt-real', ...junk] });
    gateway = await startGateway(
      {
        // Generous timeouts: a thousand requests on a shared machine must not fail for being slow.
        providers: [
          fastProvider('p', upstream.baseURL, {
            timeouts: { connectMs: 5_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 20_000 },
          }),
        ],
        routes: [
          { model: 'real', targets: [{ provider: 'p', model: 'gpt-real' }] },
          { model: '*', targets: [{ provider: 'p' }] },
        ],
        retry: { ...fastRetry, maxAttempts: 1 },
      },
      { realClock: false },
    );
    const under = gateway;
    for (let start = 0; start < JUNK; start += 20) {
      const statuses = await Promise.all(
        junk.slice(start, start + 20).map(async (model) => {
          const response = await under.post('/v1/chat/completions', chatBody(model));
          await response.text();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    }
    // A configured model sent after the flood still gets its own label.
    expect((await gateway.post('/v1/chat/completions', chatBody('real'))).status).toBe(200);

    const metrics = await gateway.telemetry.collectMetrics();
    const values = (metric: string, attribute: string) =>
      new Set(
        metrics
          .find((entry) => entry.descriptor.name === metric)
          ?.dataPoints.map((point) => point.attributes[attribute]),
      );
    // Gateway-level: the route name, so every junk name reads `*`.
    expect(values('inferwatch.gateway.requests', 'gen_ai.request.model')).toEqual(new Set(['*', 'real']));
    // Per attempt: the configured upstream model, the first names admitted, then `other`.
    const requestModels = values('gen_ai.client.operation.duration', 'gen_ai.request.model');
    const responseModels = values('gen_ai.client.operation.duration', 'gen_ai.response.model');
    for (const labels of [requestModels, responseModels]) {
      expect(labels.size).toBeLessThanOrEqual(MAX_UNCONFIGURED_MODELS + 2);
      expect(labels).toContain('other');
      expect(labels).toContain('gpt-real');
      expect(labels).toContain('junk-0');
      expect(labels).not.toContain(`junk-${JUNK - 1}`);
    }
    for (const metric of ['inferwatch.gateway.attempts', 'inferwatch.gateway.circuit.state']) {
      expect(values(metric, 'gen_ai.request.model').size).toBeLessThanOrEqual(MAX_UNCONFIGURED_MODELS + 2);
    }
    // Spans are not series: they keep the real name.
    const clients = gateway.telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients.map((span) => span.attributes['gen_ai.request.model'])).toContain(`junk-${JUNK - 1}`);
  }, 120_000);
});
