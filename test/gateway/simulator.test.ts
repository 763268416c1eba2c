import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  sseData,
  startGateway,
} from './harness.ts';

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;
let client: OpenAI;

const faults = [
  '429',
  '429-retry-after-0',
  '500',
  '502',
  '503',
  'overloaded',
  'reset',
  'silence',
  'slow-first-token-1000',
  'malformed',
  'auth',
  'context-length',
  'content-filter',
  'no-done',
  'no-done-cut',
  'cut-after-0',
  'stall-after-0',
  'cut-after-2',
  'stall-after-2',
];

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  gateway = await startGateway(
    {
      providers: [
        fastProvider('sim-primary', `${upstream.url}/primary/v1`),
        fastProvider('sim-backup', `${upstream.url}/backup/v1`),
        // Timeouts far beyond the test: only the client leaving can end its requests.
        fastProvider('sim-patient', `${upstream.url}/patient/v1`, {
          timeouts: { firstTokenMs: 30_000, idleMs: 30_000, totalMs: 60_000 },
        }),
      ],
      routes: [
        ...faults.map((fault) => ({
          model: fault,
          targets: [
            { provider: 'sim-primary', model: `sim-small+fault-${fault}` },
            { provider: 'sim-backup', model: 'sim-small' },
          ],
        })),
        {
          model: 'patient',
          targets: [{ provider: 'sim-patient', model: 'sim-small+fault-slow-first-token-20000' }],
        },
        { model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] },
      ],
      // Streams that break after their first byte end with the error event here: how they resume on the
      // backup instead is resume.test.ts's subject.
      retry: { ...fastRetry, resumeStreams: 'off' },
      circuitBreaker: { failureThreshold: 3, recoverySeconds: 5 },
    },
    { realClock: false },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await gateway.stop();
  simulator.close();
  await upstream.close();
});

// Per fault on the primary: what the client sees. `backup` = transparent failover; a number = that
// status returned as is; `[DONE]` = served by the primary and finalised; anything else = the error code of
// the event that ends a stream that failed after it started.
describe.each([
  [false, { 'no-done': '[DONE]', 'no-done-cut': '[DONE]', 'content-filter': 400 }],
  [
    true,
    {
      'content-filter': 400,
      'no-done': '[DONE]',
      'no-done-cut': 'stream_cut',
      malformed: 'malformed_response',
      'cut-after-2': 'stream_cut',
      'stall-after-2': 'timeout_idle',
    },
  ],
] as const)(
  'simulator faults through the gateway (stream %s)',
  (stream, special: Record<string, string | number>) => {
    it.each(faults)('%s', async (fault) => {
      const expected = special[fault] ?? 'backup';
      const response = await gateway.post('/v1/chat/completions', chatBody(fault, { stream }));
      if (typeof expected === 'number') {
        expect(response.status).toBe(expected);
        expect(await response.json()).toMatchObject({ error: { code: 'content_filter' } });
        return;
      }
      expect(response.status).toBe(200);
      const provider = response.headers.get('x-inferwatch-provider');
      if (expected === 'backup') {
        expect(provider).toBe('sim-backup');
        expect(response.headers.get('x-inferwatch-failover')).toBe('sim-primary,sim-backup');
        if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
        else
          expect(await response.json()).toMatchObject({
            model: 'sim-small',
            choices: [{ finish_reason: 'stop' }],
          });
        return;
      }
      expect(provider).toBe('sim-primary');
      if (!stream) return void (await response.json());
      const data = await sseData(response);
      if (expected === '[DONE]') expect(data.at(-1)).toBe('[DONE]');
      else {
        expect(data).not.toContain('[DONE]');
        expect(JSON.parse(data.at(-1) ?? '{}')).toMatchObject({ error: { code: expected } });
      }
    });
  },
);

describe('the official openai SDK, unchanged', () => {
  it('completes a chat and reports usage and the answering model', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.model).toBe('sim-small');
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams a chat with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('surfaces gateway errors as typed SDK errors', async () => {
    const unknown = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await expect(
      unknown.chat.completions.create({
        model: 'content-filter',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'content_filter' });
  });

  it('surfaces a stream that failed after it started as an error, not a short answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'cut-after-2',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const read = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow(/stream_cut|failed after it started/);
  });
});

describe('runtime faults, breaker and cancellation', () => {
  it('fails over while the primary is out, opens its breaker, and returns to it once it recovers', async () => {
    simulator.setFaults('primary', { mode: 'outage' });
    for (let i = 0; i < 4; i += 1) {
      const { response } = await client.chat.completions
        .create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(response.headers.get('x-inferwatch-provider')).toBe('sim-backup');
    }
    const body = (await (await fetch(`${gateway.url}/api/providers`)).json()) as {
      data: { name: string; state: string }[];
    };
    expect(body.data.find((provider) => provider.name === 'sim-primary')?.state).toBe('open');
    simulator.resetFaults('primary');
    gateway.clock.now += 5_000;
    const back = await client.chat.completions
      .create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(back.response.headers.get('x-inferwatch-provider')).toBe('sim-primary');
  });

  it('cancels the upstream request when the client disconnects', async () => {
    simulator.resetStats('patient');
    const controller = new AbortController();
    const pending = client.chat.completions
      .create(
        { model: 'patient', messages: [{ role: 'user', content: 'hi' }] },
        { signal: controller.signal },
      )
      .catch((error: unknown) => error);
    await expect.poll(() => simulator.stats('patient').inFlight).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => simulator.stats('patient').aborted).toBe(1);
  });
});
