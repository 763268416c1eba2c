import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { executable, requireTools } from '../required-tools.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

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
    expect(seen.not_found).toEqual({ status: 404, code: 'model_not_found' });
    expect(String(seen.cut)).toMatch(/stream_cut|failed after it started/);
    expect(seen.models).toEqual(['cut', 'sim-small']);
  });
});
