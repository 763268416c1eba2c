import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { executable, requireTools } from '../required-tools.ts';
import {
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  metricPoints,
  sseData,
  startGateway,
} from './harness.ts';

const words = 'one two three four five six seven eight nine ten';
const prompt = `Reply with exactly: ${words}`;
const body = (model: string) => ({
  model,
  messages: [{ role: 'user', content: prompt }],
  stream: true,
});

/** The text, whether it ended in [DONE], and the error event's code. */
async function read(gateway: GatewayUnderTest, model: string) {
  const data = await sseData(await gateway.post('/v1/chat/completions', body(model)));
  const parsed = data.filter((line) => line !== '[DONE]').map((line) => JSON.parse(line));
  const text = parsed
    .map((chunk) => (chunk.choices?.[0]?.delta?.content as string | undefined) ?? '')
    .join('');
  const error = parsed.find((chunk) => chunk.error)?.error as { code: string; message: string } | undefined;
  return { text, done: data.at(-1) === '[DONE]', error };
}

const count = async (gateway: GatewayUnderTest, labels: Record<string, string>) =>
  (await metricPoints(gateway, 'inferwatch.gateway.stream_resumptions'))
    .filter((point) => Object.entries(labels).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (point.value as number), 0);

const cut = 'sim-small+fault-cut-after-3';
const sent = 'one two three';

describe('retry.resumeStreams off', () => {
  let primary: SimulatedUpstream;
  let backup: SimulatedUpstream;
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    primary = await startSimulatedUpstream();
    backup = await startSimulatedUpstream();
    gateway = await startGateway({
      providers: [fastProvider('primary', primary.baseURL), fastProvider('backup', backup.baseURL)],
      routes: [
        {
          model: 'm',
          targets: [
            { provider: 'primary', model: cut },
            { provider: 'backup', model: 'sim-small' },
          ],
        },
      ],
      retry: { ...fastRetry, resumeStreams: 'off' },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([primary.close(), backup.close()]);
  });

  it('ends a broken stream with the error event as before, and never calls the next target', async () => {
    const received = await read(gateway, 'm');
    expect(received.done).toBe(false);
    expect(received.error?.code).toBe('stream_cut');
    expect(received.text).toBe(sent);
    expect(backup.stats.requests).toBe(0);
    expect(await count(gateway, {})).toBe(0);
  });
});

describe('the deadline bounds a resumption', () => {
  let primary: SimulatedUpstream;
  let slow: SimulatedUpstream;
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    primary = await startSimulatedUpstream();
    slow = await startSimulatedUpstream();
    gateway = await startGateway({
      providers: [
        fastProvider('primary', primary.baseURL),
        // Its own timeouts would wait far longer than the request's deadline allows.
        fastProvider('slow', slow.baseURL, {
          timeouts: { firstTokenMs: 30_000, idleMs: 30_000, totalMs: 60_000 },
        }),
      ],
      routes: [
        {
          model: 'm',
          targets: [
            { provider: 'primary', model: cut },
            { provider: 'slow', model: 'sim-small+fault-slow-first-token-20000' },
          ],
        },
      ],
      retry: { ...fastRetry, deadlineMs: 1_500 },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([primary.close(), slow.close()]);
  });

  it('gives up on a replacement still silent at retry.deadlineMs and says why (exhausted)', async () => {
    const started = performance.now();
    const received = await read(gateway, 'm');
    const elapsed = performance.now() - started;
    expect(received.done).toBe(false);
    expect(received.error?.code).toBe('stream_cut');
    expect(received.error?.message).toMatch(/deadline/);
    expect(received.text).toBe(sent);
    // The 20 s first token is not waited for: the 1.5 s deadline ends it.
    expect(elapsed).toBeLessThan(10_000);
    expect(await count(gateway, { 'inferwatch.outcome': 'exhausted' })).toBe(1);
    await expect.poll(() => slow.stats.inFlight).toBe(0);
  });
});

describe('retry.resumeStreams prefill', () => {
  let primary: SimulatedUpstream;
  let continuer: SimulatedUpstream;
  let prefixer: SimulatedUpstream;
  let refuser: SimulatedUpstream;
  let plain: SimulatedUpstream;
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    [primary, continuer, prefixer, refuser, plain] = await Promise.all([
      startSimulatedUpstream(),
      startSimulatedUpstream(),
      startSimulatedUpstream(),
      startSimulatedUpstream(),
      startSimulatedUpstream(),
    ]);
    const to = (provider: string, model = 'sim-small') => ({
      model: `to-${provider}`,
      targets: [
        { provider: 'primary', model: cut },
        { provider, model },
      ],
    });
    gateway = await startGateway({
      providers: [
        fastProvider('primary', primary.baseURL),
        fastProvider('continuer', continuer.baseURL, { prefill: 'continue_final_message' }),
        fastProvider('prefixer', prefixer.baseURL, { prefill: 'prefix' }),
        fastProvider('refuser', refuser.baseURL, { prefill: 'continue_final_message' }),
        fastProvider('plain', plain.baseURL),
      ],
      routes: [to('continuer'), to('prefixer'), to('refuser', 'sim-small+fault-reject-prefill'), to('plain')],
      retry: { ...fastRetry, budgetRatio: 1, resumeStreams: 'prefill' },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([primary, continuer, prefixer, refuser, plain].map((upstream) => upstream.close()));
  });

  it("continues the partial answer on a target that declares vLLM's continue_final_message", async () => {
    const received = await read(gateway, 'to-continuer');
    expect(received).toMatchObject({ text: words, done: true, error: undefined });
    const asked = continuer.last?.body as Record<string, unknown>;
    expect(asked).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    expect((asked.messages as unknown[]).at(-1)).toEqual({ role: 'assistant', content: sent });
    expect(
      await count(gateway, { 'inferwatch.outcome': 'resumed', 'inferwatch.resume.method': 'prefill' }),
    ).toBe(1);
  });

  it('sends prefix: true on the assistant message to a target that declares prefix', async () => {
    const received = await read(gateway, 'to-prefixer');
    expect(received).toMatchObject({ text: words, done: true });
    const asked = prefixer.last?.body as Record<string, unknown>;
    expect(asked.continue_final_message).toBeUndefined();
    expect((asked.messages as unknown[]).at(-1)).toEqual({ role: 'assistant', content: sent, prefix: true });
  });

  it('reports a target that rejects its declared prefill (rejected), then replays on it', async () => {
    const rejectedBefore = await count(gateway, {
      'inferwatch.outcome': 'rejected',
      'inferwatch.resume.method': 'prefill',
    });
    const received = await read(gateway, 'to-refuser');
    expect(received).toMatchObject({ text: words, done: true });
    expect(
      await count(gateway, { 'inferwatch.outcome': 'rejected', 'inferwatch.resume.method': 'prefill' }),
    ).toBe(rejectedBefore + 1);
    expect(
      await count(gateway, { 'inferwatch.outcome': 'resumed', 'inferwatch.resume.method': 'replay' }),
    ).toBeGreaterThanOrEqual(1);
    expect(refuser.stats.byStatus[400]).toBe(1);
    // The replay was the plain request: no continuation asked.
    const asked = refuser.last?.body as Record<string, unknown>;
    expect(asked.continue_final_message).toBeUndefined();
    expect((asked.messages as { role: string }[]).at(-1)?.role).toBe('user');
    await expect
      .poll(() =>
        gateway.events.some(
          (event) =>
            event.type === 'incident' &&
            event.kind === 'stream_resume_failed' &&
            event.detail.outcome === 'rejected',
        ),
      )
      .toBe(true);
  });

  it('never asks an undeclared target to continue: it replays', async () => {
    const received = await read(gateway, 'to-plain');
    expect(received).toMatchObject({ text: words, done: true });
    const asked = plain.last?.body as Record<string, unknown>;
    expect(asked.continue_final_message).toBeUndefined();
    expect((asked.messages as { role: string }[]).at(-1)?.role).toBe('user');
  });
});

const python = '.build/venv/bin/python';
const hasVenv = requireTools([
  executable('the Python venv with the openai SDK', python, 'run scripts/setup.sh to create it'),
]);

describe.skipIf(!hasVenv)('the official Python openai SDK reading resumed streams', () => {
  let primary: SimulatedUpstream;
  let backup: SimulatedUpstream;
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    primary = await startSimulatedUpstream();
    backup = await startSimulatedUpstream();
    gateway = await startGateway({
      providers: [fastProvider('primary', primary.baseURL), fastProvider('backup', backup.baseURL)],
      routes: [
        {
          model: 'resumes',
          targets: [
            { provider: 'primary', model: cut },
            { provider: 'backup', model: 'sim-small' },
          ],
        },
        {
          model: 'diverges',
          targets: [
            { provider: 'primary', model: cut },
            { provider: 'backup', model: 'sim-small+fault-wrong-answer' },
          ],
        },
      ],
      retry: { ...fastRetry, budgetRatio: 1 },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([primary.close(), backup.close()]);
  });

  it('sees one complete stream, and a diverged one as an APIError after the text already sent', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      ['test/gateway/python/resume_client.py', `${gateway.url}/v1`, 'resumes', 'diverges', prompt],
      { timeout: 30_000 },
    );
    const seen = JSON.parse(stdout);
    expect(seen.resumed).toMatchObject({ text: words, finish_reasons: ['stop'], error: null });
    expect(seen.resumed.ids).toHaveLength(1);
    // 10 words from the replay, plus the cut attempt's estimate ("one two three": 4).
    expect(seen.resumed.usage).toBe(14);
    expect(seen.diverged.text).toBe(sent);
    expect(seen.diverged.finish_reasons).toEqual([]);
    expect(seen.diverged.error).toMatch(/differed from what was already sent/);
  });
});
