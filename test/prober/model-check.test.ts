import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { modelCheck } from '../../src/prober/checks/model.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { modelSpec, realDeps } from './helpers.ts';

let fake: SimulatedUpstream;
beforeAll(async () => {
  fake = await startSimulatedUpstream({ defaultReply: 'pong' });
});
afterAll(() => fake.close());

describe('model check', () => {
  it('measures TTFT, total time, tokens/s, finish reason and [DONE] on a healthy stream', async () => {
    const outcome = await modelCheck(
      modelSpec(fake.baseURL, {
        model: 'sim-small+fault-slow-first-token-150',
        prompt: 'Reply with exactly: one two three',
      }),
      realDeps(),
    );
    expect(outcome).toMatchObject({
      success: true,
      statusCode: 200,
      finishReason: 'stop',
      done: true,
      outputTokens: 3,
    });
    expect(outcome.ttftMs).toBeGreaterThanOrEqual(140);
    expect(outcome.durationMs).toBeGreaterThan(outcome.ttftMs as number);
    expect(outcome.tokensPerSecond).toBeGreaterThan(0);
    // The prompt's six words, as the upstream counted them in its usage chunk.
    expect(outcome.inputTokens).toBe(6);
  });

  it('marks its traffic synthetic and sends the key', async () => {
    // Any other key gets a 401: success proves the probe's key went out.
    fake.setFaults({ apiKey: 'sk-test' });
    try {
      const outcome = await modelCheck(modelSpec(fake.baseURL, { model: 'sim-small' }), realDeps());
      expect(outcome.success).toBe(true);
    } finally {
      fake.setFaults(undefined);
    }
    expect(fake.last?.headers).toMatchObject({ 'x-inferwatch-synthetic': '1', authorization: '[redacted]' });
  });

  it.each([
    ['sim-small+fault-429', 'rate_limited'],
    ['sim-small+fault-500', 'server_error'],
    ['sim-small+fault-overloaded', 'model_overloaded'],
    ['sim-small+fault-auth', 'auth'],
    ['sim-small+fault-cut-after-1', 'stream_cut'],
    ['sim-small+fault-empty', 'empty_response'],
    ['sim-small+fault-malformed-after-0', 'malformed_response'],
  ])('classifies %s as %s', async (model, errorType) => {
    const outcome = await modelCheck(
      modelSpec(fake.baseURL, { model, prompt: 'Reply with exactly: a b c' }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: false, errorType });
  });

  it('a 429 and a 5xx are different classes', async () => {
    const limited = await modelCheck(modelSpec(fake.baseURL, { model: 'sim-small+fault-429' }), realDeps());
    const broken = await modelCheck(modelSpec(fake.baseURL, { model: 'sim-small+fault-500' }), realDeps());
    expect(limited.errorType).not.toBe(broken.errorType);
  });

  it('times out waiting for the first token, then for the whole answer', async () => {
    const firstToken = await modelCheck(
      modelSpec(fake.baseURL, {
        model: 'sim-small+fault-slow-first-token-2000',
        firstTokenTimeoutMs: 100,
        timeoutMs: 5000,
      }),
      realDeps(),
    );
    expect(firstToken).toMatchObject({ success: false, errorType: 'timeout_first_token' });
    const total = await modelCheck(
      modelSpec(fake.baseURL, {
        model: 'sim-small+fault-silence',
        timeoutMs: 150,
        firstTokenTimeoutMs: 1000,
      }),
      realDeps(),
    );
    expect(total).toMatchObject({ success: false, errorType: 'timeout_total' });
  });

  it('reports connection refused as connect', async () => {
    // A port taken free and left closed: nothing listens there.
    const port = await freePort();
    const outcome = await modelCheck(modelSpec(`http://127.0.0.1:${port}/v1`, { model: 'm' }), realDeps());
    expect(outcome).toMatchObject({ success: false, errorType: 'connect' });
  });

  it('passes a canary whose answer matches, fails one that does not', async () => {
    const canary = { prompt: 'Reply with exactly: 42', expect: { exact: '42' } };
    const good = await modelCheck(modelSpec(fake.baseURL, { model: 'sim-small', canary }), realDeps());
    expect(good).toMatchObject({ success: true, canaryPassed: true });
    const wrong = await modelCheck(
      modelSpec(fake.baseURL, { model: 'sim-small+fault-wrong-answer', canary }),
      realDeps(),
    );
    expect(wrong).toMatchObject({ success: false, canaryPassed: false, errorType: 'canary_failed' });
    const lenient = await modelCheck(
      modelSpec(fake.baseURL, {
        model: 'sim-small+fault-wrong-answer',
        canary: { ...canary, failProbe: false },
      }),
      realDeps(),
    );
    expect(lenient).toMatchObject({ success: true, canaryPassed: false });
  });

  it.each([
    [{ regex: '^\\d+$' }, 'Reply with exactly: 1234', true],
    [{ json: true }, 'Reply with exactly: {"ok":true}', true],
    [{ json: true }, 'Reply with exactly: not json', false],
  ])('canary %j on "%s" passes: %s', async (expectation, prompt, passed) => {
    const outcome = await modelCheck(
      modelSpec(fake.baseURL, { model: 'sim-small', canary: { prompt, expect: expectation } }),
      realDeps(),
    );
    expect(outcome.canaryPassed).toBe(passed);
  });

  it('works without streaming (no TTFT)', async () => {
    const outcome = await modelCheck(
      modelSpec(fake.baseURL, { model: 'sim-small', stream: false }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: true, finishReason: 'stop', outputTokens: 1 });
    expect(outcome.ttftMs).toBeUndefined();
  });
});
