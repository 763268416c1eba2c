import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { executable, requireTools } from '../required-tools.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, metricPoints, startGateway } from './harness.ts';

const python = '.build/venv/bin/python';
const hasVenv = requireTools([
  executable('the Python venv with the openai SDK', python, 'run scripts/setup.sh to create it'),
]);

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  if (!hasVenv) return;
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  gateway = await startGateway({
    server: { apiKeys: ['sk-test'] },
    analyzer: { enabled: false },
    providers: [fastProvider('sim', `${upstream.url}/primary/v1`)],
    routes: [
      { model: 'sim-small', targets: [{ provider: 'sim' }] },
      { model: 'cut', targets: [{ provider: 'sim', model: 'sim-small+fault-cut-after-2' }] },
    ],
    retry: fastRetry,
  });
});
afterAll(async () => {
  if (!hasVenv) return;
  await gateway.stop();
  simulator.close();
  await upstream.close();
});

describe.skipIf(!hasVenv)('the official Python openai SDK, unchanged', () => {
  it('completes, streams with usage, lists models and surfaces errors (404 and a failed stream)', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      ['test/gateway/python/sdk_client.py', `${gateway.url}/v1`],
      {
        timeout: 30_000,
      },
    );
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen.model).toBe('sim-small');
    expect(String(seen.text).length).toBeGreaterThan(0);
    expect(seen.total_tokens).toBeGreaterThan(0);
    expect(seen.stream_text).toBe(seen.text);
    expect(seen.stream_usage).toBeGreaterThan(0);
    expect(seen.stream_usage_chunks).toBe(1);
    expect(seen.plain_stream_text).toBe(seen.text);
    expect(seen.plain_stream_usage_chunks).toBe(0);
    // The stream that did not ask for usage still counted its tokens ("hi there": 2 in, 12 out).
    const usage = await metricPoints(gateway, 'gen_ai.client.token.usage');
    const reported = usage.filter((point) => point.attributes['inferwatch.usage.estimated'] === undefined);
    const sums = (type: string) =>
      reported
        .filter((point) => point.attributes['gen_ai.token.type'] === type)
        .map((point) => (point.value as { sum: number }).sum);
    expect(sums('input').reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    const spans = gateway.telemetry
      .spans()
      .filter((span) => span.attributes['gen_ai.usage.input_tokens'] === 2);
    expect(spans.map((span) => span.attributes['gen_ai.usage.output_tokens'])).toEqual([12]);
    expect(seen.not_found).toEqual({ status: 404, code: 'model_not_found' });
    expect(String(seen.cut)).toMatch(/stream_cut|failed after it started/);
    expect(seen.models).toEqual(['cut', 'sim-small']);
  });
});
