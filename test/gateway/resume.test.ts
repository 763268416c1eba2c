import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  metricPoints,
  sseData,
  startGateway,
} from './harness.ts';

let primary: SimulatedUpstream;
let backup: SimulatedUpstream;
let drifter: SimulatedUpstream;
let gateway: GatewayUnderTest;

/** A prompt the simulator answers word for word: deterministic, so a replay repeats it exactly. */
const words = 'one two three four five six seven eight nine ten';
const exactly = { messages: [{ role: 'user', content: `Reply with exactly: ${words}` }] };

beforeAll(async () => {
  primary = await startSimulatedUpstream();
  backup = await startSimulatedUpstream();
  // Says the first three words as asked, then goes its own way: a fallback that diverges mid-way.
  drifter = await startSimulatedUpstream({ reply: () => 'one two three FOUR five six seven eight nine ten' });
  gateway = await startGateway({
    providers: [
      fastProvider('primary', primary.baseURL, {
        pricing: { 'sim-small+fault-cut-after-3': { inputPerMillion: 1, outputPerMillion: 2 } },
        timeouts: { idleMs: 200, firstTokenMs: 2_000, totalMs: 10_000 },
      }),
      fastProvider('backup', backup.baseURL, {
        pricing: { 'sim-small': { inputPerMillion: 1, outputPerMillion: 2 } },
      }),
      fastProvider('drifter', drifter.baseURL),
    ],
    routes: [
      {
        model: 'drifts',
        targets: [
          { provider: 'primary', model: 'sim-small+fault-cut-after-5' },
          { provider: 'drifter', model: 'sim-small' },
        ],
      },
      {
        model: 'wrong',
        targets: [
          { provider: 'primary', model: 'sim-small+fault-cut-after-3' },
          { provider: 'backup', model: 'sim-small+fault-wrong-answer' },
        ],
      },
      {
        model: 'twice-cut',
        targets: [
          { provider: 'primary', model: 'sim-small+fault-cut-after-3' },
          { provider: 'backup', model: 'sim-small+fault-cut-after-6' },
        ],
      },
      {
        model: 'tools-cut',
        targets: [
          { provider: 'primary', model: 'sim-small+fault-tool-stream+fault-cut-after-4' },
          { provider: 'backup', model: 'sim-small+fault-tool-stream' },
        ],
      },
      { model: 'alone', targets: [{ provider: 'primary', model: 'sim-small+fault-cut-after-3' }] },
      { model: '*', targets: [{ provider: 'primary' }, { provider: 'backup', model: 'sim-small' }] },
    ],
    // A budget that lets every request of this file resume once.
    retry: { ...fastRetry, budgetRatio: 1 },
    circuitBreaker: { failureThreshold: 1000, minimumRequests: 1000 },
  });
});
afterAll(async () => {
  await gateway.stop();
  await Promise.all([primary.close(), backup.close(), drifter.close()]);
});

interface Received {
  chunks: Record<string, unknown>[];
  done: boolean;
  error: { code?: string; message?: string } | undefined;
  text: string;
  finishReasons: unknown[];
  usage: Record<string, number>[];
}

async function stream(model: string, extra: Record<string, unknown> = {}): Promise<Received> {
  const response = await gateway.post('/v1/chat/completions', {
    ...chatBody(model, { stream: true }),
    ...extra,
  });
  expect(response.status).toBe(200);
  const data = await sseData(response);
  const done = data.at(-1) === '[DONE]';
  const parsed = data
    .filter((line) => line !== '[DONE]')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const error = parsed.find((chunk) => chunk.error)?.error as Received['error'];
  const chunks = parsed.filter((chunk) => !chunk.error);
  type Choice = { delta?: { content?: string }; finish_reason?: unknown };
  const choices = chunks.flatMap((chunk) => (chunk.choices as Choice[] | undefined) ?? []);
  return {
    chunks,
    done,
    error,
    text: choices.map((choice) => choice.delta?.content ?? '').join(''),
    finishReasons: choices.map((choice) => choice.finish_reason).filter(Boolean),
    usage: chunks.flatMap((chunk) => (chunk.usage ? [chunk.usage as Record<string, number>] : [])),
  };
}

const resumptions = async (outcome: string) =>
  (await metricPoints(gateway, 'inferwatch.gateway.stream_resumptions'))
    .filter((point) => point.attributes['inferwatch.outcome'] === outcome)
    .reduce((sum, point) => sum + (point.value as number), 0);

describe('a stream that breaks after the client received content', () => {
  it.each([
    // fault on the first target, what broke it
    ['cut-after-3', 'stream_cut'],
    ['stall-after-3', 'timeout_idle'],
    ['malformed-after-3', 'malformed_response'],
    ['error-event-after-3', 'server_error'],
  ])('%s: resumes on the next target into the answer an uncut stream gives (%s)', async (fault, reason) => {
    const uncut = await stream('sim-small', exactly);
    const before = await resumptions('resumed');
    const resumed = await stream(`sim-small+fault-${fault}`, exactly);
    expect(resumed.error).toBeUndefined();
    expect(resumed.done).toBe(true);
    expect(resumed.text).toBe(uncut.text);
    expect(resumed.text).toBe(words);
    expect(resumed.finishReasons).toEqual(['stop']);
    // One stream in the client's eyes: the first chunk's id and model on every chunk.
    const ids = new Set(resumed.chunks.map((chunk) => chunk.id));
    const models = new Set(resumed.chunks.map((chunk) => chunk.model));
    expect([...ids]).toHaveLength(1);
    expect([...models]).toEqual([`sim-small+fault-${fault}`]);
    // The role opening is sent once.
    const roles = resumed.chunks.filter((chunk) => JSON.stringify(chunk.choices).includes('"role"'));
    expect(roles).toHaveLength(1);
    expect(await resumptions('resumed')).toBe(before + 1);
    const points = await metricPoints(gateway, 'inferwatch.gateway.stream_resumptions');
    expect(points.map((point) => point.attributes)).toContainEqual({
      'inferwatch.outcome': 'resumed',
      'inferwatch.resume.method': 'replay',
      'inferwatch.provider.name': 'primary',
      'gen_ai.provider.name': 'openai',
      'inferwatch.reason': reason,
    });
  });

  it('records the resumption on the request span (offset, outcome) and as an incident', async () => {
    gateway.telemetry.reset();
    const resumed = await stream('sim-small+fault-cut-after-4', exactly);
    expect(resumed.done).toBe(true);
    const server = gateway.telemetry.spans().find((span) => span.name === 'POST /v1/chat/completions');
    const event = server?.events.find((candidate) => candidate.name === 'inferwatch.stream.resume');
    expect(event?.attributes).toMatchObject({
      'inferwatch.outcome': 'resumed',
      'inferwatch.resume.method': 'replay',
      // "one two three four": what the client had when the stream broke.
      'inferwatch.resume.offset': 'one two three four'.length,
      'inferwatch.failover.from': 'primary/sim-small+fault-cut-after-4',
      'inferwatch.failover.to': 'backup/sim-small',
      'inferwatch.reason': 'stream_cut',
    });
    expect(server?.events.map((candidate) => candidate.name)).toContain('inferwatch.failover');
    await expect
      .poll(() =>
        gateway.events.some(
          (candidate) => candidate.type === 'incident' && candidate.kind === 'stream_resumed',
        ),
      )
      .toBe(true);
    // Stored like every incident: the status page and GET /api/incidents list it.
    await expect
      .poll(async () => {
        const listed = await fetch(`${gateway.url}/api/incidents?type=stream_resumed`);
        return JSON.stringify(await listed.json());
      })
      .toMatch(/resumed on backup\/sim-small \(replay\)/);
  });

  it('bills both targets: one usage chunk with the tokens of the broken attempt and of the replay', async () => {
    const withUsage = { ...exactly, stream_options: { include_usage: true } };
    const uncut = await stream('sim-small', withUsage);
    const spent = async () => {
      const metrics = (await (await fetch(`${gateway.url}/api/metrics`)).json()) as {
        gateway: { usage: { byModel: Record<string, { outputTokens: number; costUsd: number }> } };
      };
      return metrics.gateway.usage.byModel;
    };
    const before = await spent();
    const resumed = await stream('sim-small+fault-cut-after-3', withUsage);
    expect(resumed.text).toBe(uncut.text);
    expect(resumed.usage).toHaveLength(1);
    expect(uncut.usage).toHaveLength(1);
    const [once] = uncut.usage as [Record<string, number>];
    const [both] = resumed.usage as [Record<string, number>];
    // The broken attempt sent no usage: its share is estimated, at least a token a chunk or four
    // characters a token ("one two three": 3 chunks, 13 characters), its prompt by length.
    expect(both.completion_tokens).toBe((once.completion_tokens ?? 0) + Math.ceil(13 / 4));
    expect(both.prompt_tokens).toBeGreaterThan(once.prompt_tokens ?? 0);
    expect(both.total_tokens).toBe((both.prompt_tokens ?? 0) + (both.completion_tokens ?? 0));
    // Each attempt is priced and totalled on its own target: the cost follows both.
    await expect
      .poll(async () => {
        const after = await spent();
        const grew = (key: string) => ({
          output: (after[key]?.outputTokens ?? 0) - (before[key]?.outputTokens ?? 0),
          cost: (after[key]?.costUsd ?? 0) > (before[key]?.costUsd ?? 0),
        });
        return [grew('primary/sim-small+fault-cut-after-3'), grew('backup/sim-small')];
      })
      .toEqual([
        { output: 4, cost: true },
        { output: once.completion_tokens, cost: true },
      ]);
  });

  it('resumes a tool call: the arguments joined equal the uncut ones, under the first call id', async () => {
    const tools = (model: string) => stream(model, exactly);
    const collect = (received: Received) => {
      type Call = { id?: string; function?: { name?: string; arguments?: string } };
      const calls = received.chunks.flatMap(
        (chunk) => (chunk.choices as { delta?: { tool_calls?: Call[] } }[])[0]?.delta?.tool_calls ?? [],
      );
      return {
        ids: calls.flatMap((call) => (call.id ? [call.id] : [])),
        names: calls.flatMap((call) => (call.function?.name ? [call.function.name] : [])),
        args: calls.map((call) => call.function?.arguments ?? '').join(''),
      };
    };
    const uncut = collect(await tools('sim-small+fault-tool-stream'));
    const broken = await tools('tools-cut');
    expect(broken.done).toBe(true);
    expect(broken.finishReasons).toEqual(['tool_calls']);
    const resumed = collect(broken);
    expect(resumed.args).toBe(uncut.args);
    expect(JSON.parse(resumed.args)).toEqual({ query: words });
    expect(resumed.names).toEqual(['lookup']);
    expect(resumed.ids).toHaveLength(1);
  });

  it('ends with stream_resume_diverged when the replay says something else, and never shows it', async () => {
    const before = await resumptions('diverged');
    const abortedBefore = drifter.stats.aborted + drifter.stats.completed;
    const received = await stream('drifts', exactly);
    expect(received.done).toBe(false);
    expect(received.error).toMatchObject({ code: 'stream_resume_diverged' });
    // Exactly what the broken stream had sent: the drifter's "one two three" was withheld, "FOUR" never sent.
    expect(received.text).toBe('one two three four five');
    expect(received.finishReasons).toEqual([]);
    expect(await resumptions('diverged')).toBe(before + 1);
    await expect.poll(() => drifter.stats.aborted + drifter.stats.completed).toBe(abortedBefore + 1);
  });

  it('gives up at the first differing character of a fallback that answers something else', async () => {
    const received = await stream('wrong', exactly);
    expect(received.error).toMatchObject({ code: 'stream_resume_diverged' });
    expect(received.text).toBe('one two three');
  });

  it('resumes once by default: a replacement that breaks too ends the stream (exhausted)', async () => {
    const before = await resumptions('exhausted');
    const received = await stream('twice-cut', exactly);
    expect(received.done).toBe(false);
    expect(received.error).toMatchObject({ code: 'stream_cut' });
    // The replacement caught up (3 words) and sent three more before it broke as well.
    expect(received.text).toBe('one two three four five six');
    expect(received.error?.message).toContain('retry.maxStreamResumptions');
    expect(await resumptions('exhausted')).toBe(before + 1);
  });

  it('says so when there is no other target to resume on', async () => {
    const received = await stream('alone', exactly);
    expect(received.error).toMatchObject({ code: 'stream_cut' });
    expect(received.error?.message).toContain('no other target is available');
  });

  it('streams a resumed answer to the official openai SDK as one clean stream', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const chunks = await client.chat.completions.create({
      model: 'sim-small+fault-cut-after-2',
      messages: exactly.messages as OpenAI.ChatCompletionMessageParam[],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(words);
    expect(finishes).toEqual(['stop']);
    expect(usage?.completion_tokens).toBe(words.split(' ').length + 2);
  });

  it('surfaces a diverged resumption to the official openai SDK as an error', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const chunks = await client.chat.completions.create({
      model: 'drifts',
      messages: exactly.messages as OpenAI.ChatCompletionMessageParam[],
      stream: true,
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow(/differed from what was already sent/);
    expect(text).toBe('one two three four five');
  });
});
