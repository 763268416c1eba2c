import { SpanKind } from '@opentelemetry/api';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, defaultReplyText, type Simulator } from '../../src/simulator/index.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  metricPoints,
  sseData,
  startGateway,
} from './harness.ts';

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;

type Point = HistogramMetricData['dataPoints'][number];

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  gateway = await startGateway({
    providers: [
      fastProvider('sim', `${upstream.url}/sim/v1`),
      fastProvider('rejecting', `${upstream.url}/rejecting/v1`),
      fastProvider('backup', `${upstream.url}/backup/v1`),
      fastProvider('slow', `${upstream.url}/slow/v1`, {
        timeouts: { firstTokenMs: 2_000, idleMs: 2_000, totalMs: 10_000 },
      }),
    ],
    routes: [
      { model: 'rejecting', targets: [{ provider: 'rejecting', model: 'sim-small' }] },
      {
        model: 'failover',
        targets: [
          { provider: 'sim', model: 'sim-small+fault-cut-after-0' },
          { provider: 'backup', model: 'sim-small' },
        ],
      },
      { model: 'slow', targets: [{ provider: 'slow', model: 'sim-small+fault-slow-tokens-40' }] },
      { model: '*', targets: [{ provider: 'sim' }] },
    ],
    retry: { ...fastRetry, maxAttempts: 1 },
  });
});
afterAll(async () => {
  await gateway.stop();
  simulator.close();
  await upstream.close();
});
beforeEach(() => gateway.telemetry.reset());

const sdk = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 });

/** The token usage points of one provider, as `{ input, output, estimated }` sums. */
async function tokensOf(provider: string) {
  const points = (await metricPoints(gateway, 'gen_ai.client.token.usage')) as Point[];
  const mine = points.filter((point) => point.attributes['inferwatch.provider.name'] === provider);
  const sum = (type: string) =>
    mine
      .filter((point) => point.attributes['gen_ai.token.type'] === type)
      .reduce((total, point) => total + (point.value.sum ?? 0), 0);
  const estimated = mine.filter((point) => point.attributes['inferwatch.usage.estimated'] === true);
  return {
    input: sum('input'),
    output: sum('output'),
    estimatedPoints: estimated.reduce((total, point) => total + point.value.count, 0),
  };
}

/** The estimate for the simulator's default reply: a token a chunk, or four characters a token if more. */
const estimatedReply = Math.max(12, Math.ceil(defaultReplyText.length / 4));

const clientSpans = () => gateway.telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT);

describe('tokens for every streamed request', () => {
  it('asks the upstream for usage the openai SDK did not ask for, and hides it from the client', async () => {
    const before = await tokensOf('sim');
    const stream = await sdk().chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
    });
    let text = '';
    const usages: unknown[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage !== undefined) usages.push(chunk.usage);
    }
    expect(text.split(' ')).toHaveLength(12);
    expect(usages).toEqual([]);
    const sent = simulator.lastRequest('sim')?.body as Record<string, unknown>;
    expect(sent.stream_options).toEqual({ include_usage: true });
    const after = await tokensOf('sim');
    expect(after.input - before.input).toBe(3);
    expect(after.output - before.output).toBe(12);
    expect(after.estimatedPoints - before.estimatedPoints).toBe(0);
    expect(clientSpans().at(-1)?.attributes['inferwatch.usage.estimated']).toBeUndefined();
    expect(clientSpans().at(-1)?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 12,
    });
  });

  it('sends the client exactly the chunks the provider sends without the option', async () => {
    const body = chatBody('sim-small', { stream: true });
    const direct = await sseData(
      await fetch(`${upstream.url}/sim/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    const through = await sseData(await gateway.post('/v1/chat/completions', body));
    // Ids and timestamps differ per answer; everything else, keys and their order included, is the same.
    const shape = (data: string[]) => data.map((item) => item.replace(/"id":"[^"]*"|"created":\d+/g, ''));
    expect(shape(through)).toEqual(shape(direct));
    expect(through.some((item) => item.includes('usage'))).toBe(false);
  });

  it('passes usage through as sent when the client asked for it: exactly one usage chunk', async () => {
    const stream = await sdk().chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const usages = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([{ prompt_tokens: 1, completion_tokens: 12, total_tokens: 13 }]);
    const raw = await sseData(
      await gateway.post(
        '/v1/chat/completions',
        chatBody('sim-small', { stream: true, stream_options: { include_usage: true } }),
      ),
    );
    // As OpenAI sends it: `"usage":null` on every other chunk.
    expect(raw.slice(0, -2).every((item) => item.includes('"usage":null'))).toBe(true);
  });

  it('retries without stream_options when the upstream rejects it, remembers that, and estimates', async () => {
    simulator.setFaults('rejecting', { streamOptions: 'reject' });
    simulator.resetStats('rejecting');
    const before = await tokensOf('rejecting');
    const first = await sseData(
      await gateway.post('/v1/chat/completions', chatBody('rejecting', { stream: true })),
    );
    expect(first.at(-1)).toBe('[DONE]');
    expect(simulator.stats('rejecting').byStatus).toEqual({ 200: 1, 400: 1 });
    await sseData(await gateway.post('/v1/chat/completions', chatBody('rejecting', { stream: true })));
    expect(simulator.stats('rejecting').byStatus).toEqual({ 200: 2, 400: 1 });
    expect(
      (simulator.lastRequest('rejecting')?.body as Record<string, unknown> | undefined)?.stream_options,
    ).toBeUndefined();
    const after = await tokensOf('rejecting');
    expect(after.output - before.output).toBe(2 * estimatedReply);
    expect(after.input - before.input).toBeGreaterThan(0);
    expect(after.estimatedPoints - before.estimatedPoints).toBe(4);
    expect(clientSpans().at(-1)?.attributes['inferwatch.usage.estimated']).toBe(true);
  });

  it('estimates, and marks, tokens for an upstream that ignores the option', async () => {
    const before = await tokensOf('sim');
    await sseData(
      await gateway.post(
        '/v1/chat/completions',
        chatBody('sim-small+fault-ignore-stream-options', { stream: true }),
      ),
    );
    const after = await tokensOf('sim');
    expect(after.output - before.output).toBe(estimatedReply);
    expect(after.estimatedPoints - before.estimatedPoints).toBe(2);
  });

  it('counts the failed-over attempt and the one that served', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('failover', { stream: true }));
    expect(response.headers.get('x-inferwatch-failover')).toBe('sim,backup');
    await sseData(response);
    const spans = clientSpans();
    expect(spans.map((span) => span.attributes['inferwatch.provider.name'])).toEqual(['sim', 'backup']);
    // The cut attempt was answered (a stream opened) but produced nothing before it broke.
    expect(spans[0]?.attributes).toMatchObject({
      'error.type': 'stream_cut',
      'gen_ai.usage.output_tokens': 0,
    });
    expect(spans[1]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1,
      'gen_ai.usage.output_tokens': 12,
    });
  });

  it('counts what an aborted stream consumed up to the abort', async () => {
    const controller = new AbortController();
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('slow', { stream: true }),
      {},
      controller.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while ((received.match(/"content":"[^"]/g) ?? []).length < 3) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    await expect.poll(() => clientSpans().length).toBe(1);
    const attributes = clientSpans()[0]?.attributes ?? {};
    expect(attributes['error.type']).toBe('cancelled');
    expect(attributes['inferwatch.usage.estimated']).toBe(true);
    expect(attributes['gen_ai.usage.output_tokens']).toBeGreaterThanOrEqual(3);
    expect(attributes['gen_ai.usage.output_tokens']).toBeLessThan(estimatedReply);
  });

  it('records generation speed and the time per output chunk of a stream', async () => {
    const slowPoint = async (name: string) => {
      const points = (await metricPoints(gateway, name)) as Point[];
      const slow = points.filter((point) => point.attributes['inferwatch.provider.name'] === 'slow');
      return {
        count: slow.reduce((total, point) => total + point.value.count, 0),
        sum: slow.reduce((total, point) => total + (point.value.sum ?? 0), 0),
      };
    };
    const rateBefore = await slowPoint('inferwatch.gateway.output_tokens');
    const gapsBefore = await slowPoint('gen_ai.client.operation.time_per_output_chunk');
    await sseData(await gateway.post('/v1/chat/completions', chatBody('slow', { stream: true })));
    const rate = await slowPoint('inferwatch.gateway.output_tokens');
    const gaps = await slowPoint('gen_ai.client.operation.time_per_output_chunk');
    // Twelve tokens 40 ms apart: about 27 tokens a second after the first (12 / 0.44 s).
    expect(rate.count - rateBefore.count).toBe(1);
    expect(rate.sum - rateBefore.sum).toBeGreaterThan(10);
    expect(rate.sum - rateBefore.sum).toBeLessThan(40);
    // One gap for each of the eleven output chunks after the first.
    expect(gaps.count - gapsBefore.count).toBe(11);
    expect((gaps.sum - gapsBefore.sum) / 11).toBeGreaterThan(0.03);
  });

  it('takes a non-streamed answer’s tokens from its body', async () => {
    const before = await tokensOf('sim');
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(response.status).toBe(200);
    const after = await tokensOf('sim');
    expect([after.input - before.input, after.output - before.output]).toEqual([1, 12]);
  });
});
