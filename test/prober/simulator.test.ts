import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { modelCheck } from '../../src/prober/checks/model.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { modelSpec, realDeps } from './helpers.ts';

// The model check against the project's own simulator, faults chosen by model name.
let simulator: Simulator;
let server: Listening;
let baseURL: string;
beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 5, tokensPerSecond: 0 });
  server = await listen(simulator.app);
  baseURL = `${server.url}/v1`;
});
afterAll(async () => {
  simulator.close();
  await server.close();
});

describe('model check against the simulator', () => {
  it('measures a slow first token as TTFT and reads usage from the stream', async () => {
    const outcome = await modelCheck(
      modelSpec(baseURL, { model: 'sim-small+fault-slow-first-token-300', maxTokens: 50 }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: true, done: true, finishReason: 'stop' });
    expect(outcome.ttftMs).toBeGreaterThanOrEqual(290);
    expect(outcome.outputTokens).toBeGreaterThan(1);
  });

  it('passes a canary on "Reply with exactly: X"', async () => {
    const outcome = await modelCheck(
      modelSpec(baseURL, {
        model: 'sim-small',
        maxTokens: 20,
        canary: { prompt: 'Reply with exactly: 42', expect: { exact: '42' } },
      }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: true, canaryPassed: true });
  });

  it.each([
    ['sim-small+fault-429', 'rate_limited'],
    ['sim-small+fault-500', 'server_error'],
    ['sim-small+fault-overloaded', 'model_overloaded'],
    ['sim-small+fault-auth', 'auth'],
    ['sim-small+fault-context-length', 'context_length'],
    ['sim-small+fault-cut-after-2', 'stream_cut'],
    ['sim-small+fault-no-done-cut', 'stream_cut'],
    ['sim-small+fault-empty', 'empty_response'],
    ['sim-small+fault-malformed', 'malformed_response'],
    ['sim-small+fault-reset', 'connection_reset'],
    ['sim-small+fault-silence', 'timeout_first_token'],
    ['sim-small+fault-stall-after-1', 'timeout_total'],
  ])('classifies %s as %s', async (model, errorType) => {
    const outcome = await modelCheck(
      modelSpec(baseURL, { model, maxTokens: 50, firstTokenTimeoutMs: 300, timeoutMs: 600 }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: false, errorType });
  });

  it('reads a simulated outage as a failing provider (server_error), never as a busy one', async () => {
    simulator.setFaults('outage', { mode: 'outage' });
    const outcome = await modelCheck(
      modelSpec(`${server.url}/outage/v1`, { model: 'sim-small', maxTokens: 20 }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: false, errorType: 'server_error', statusCode: 502 });
  });

  it('fails a wrong canary answer with canary_failed', async () => {
    const outcome = await modelCheck(
      modelSpec(baseURL, {
        model: 'sim-small+fault-wrong-answer',
        maxTokens: 20,
        canary: { prompt: 'Reply with exactly: 42', expect: { exact: '42' } },
      }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: false, canaryPassed: false, errorType: 'canary_failed' });
  });

  it('accepts a finish reason without [DONE] as complete but reports done: false', async () => {
    const outcome = await modelCheck(
      modelSpec(baseURL, { model: 'sim-small+fault-no-done', maxTokens: 50 }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: true, done: false, finishReason: 'stop' });
  });
});
