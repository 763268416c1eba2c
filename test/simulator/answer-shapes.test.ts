import { describe, expect, it } from 'vitest';
import { json, postChat, readStream, startSimulator } from './helpers.ts';

// Faults the gateway's and the prober's tests need from their one stand-in: answers of other shapes,
// slow or broken bodies, Azure's preamble and what a server does after [DONE].
const chunks = (data: string[]) =>
  data.filter((item) => item !== '[DONE]').map((item) => JSON.parse(item) as Record<string, unknown>);

describe('answers of other shapes', () => {
  it('empty-length: no text because max_tokens ran out (finish_reason length)', async () => {
    const { url } = await startSimulator();
    const body = await json(await postChat(url, { model: 'sim-small+fault-empty-length' }));
    expect(body.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'length' });
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-empty-length', stream: true }),
    );
    expect(chunks(data).at(-1)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'length' }] });
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('tool-call: no text, one tool call (finish_reason tool_calls), in JSON and in the stream', async () => {
    const { url } = await startSimulator();
    const body = await json(await postChat(url, { model: 'sim-small+fault-tool-call' }));
    expect(body.choices[0]).toMatchObject({
      message: { content: null, tool_calls: [{ type: 'function', function: { name: 'lookup' } }] },
      finish_reason: 'tool_calls',
    });
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-tool-call', stream: true }),
    );
    const parsed = chunks(data) as { choices: { delta: Record<string, unknown>; finish_reason: string }[] }[];
    expect(parsed[1]?.choices[0]?.delta).toMatchObject({ tool_calls: [{ index: 0, id: 'call_sim1' }] });
    expect(parsed.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('empty-choices: a JSON answer without choices, a stream of just [DONE]', async () => {
    const { url } = await startSimulator();
    expect((await json(await postChat(url, { model: 'sim-small+fault-empty-choices' }))).choices).toEqual([]);
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-empty-choices', stream: true }),
    );
    expect(data).toEqual(['[DONE]']);
  });

  it('azure-preamble: a prompt-filter chunk with no choices and model "" comes first', async () => {
    const { url } = await startSimulator();
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-azure-preamble', stream: true }),
    );
    expect(chunks(data)[0]).toMatchObject({
      choices: [],
      model: '',
      prompt_filter_results: [{ prompt_index: 0 }],
    });
    expect(chunks(data)[1]).toMatchObject({ model: 'sim-small+fault-azure-preamble' });
  });
});

describe('slow and broken bodies', () => {
  it('trickle-<ms>: the JSON answer arrives in four pieces that many ms apart', async () => {
    const { url } = await startSimulator();
    const response = await postChat(url, { model: 'sim-small+fault-trickle-60' });
    const arrivals: number[] = [];
    const started = performance.now();
    let text = '';
    for await (const piece of response.body as AsyncIterable<Uint8Array>) {
      arrivals.push(performance.now() - started);
      text += Buffer.from(piece).toString();
    }
    expect(JSON.parse(text)).toMatchObject({ object: 'chat.completion' });
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(170);
  });

  it('malformed-after-<n>: n content chunks, then a line that is not JSON', async () => {
    const { url } = await startSimulator();
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-malformed-after-2', stream: true }),
    );
    const broken = data.findIndex((item) => item !== '[DONE]' && !isJson(item));
    // The role chunk and two content chunks come before it.
    expect(broken).toBe(3);
    const before = await readStream(
      await postChat(url, { model: 'sim-small+fault-malformed-after-0', stream: true }),
    );
    expect(isJson(before.data[1] ?? '{}')).toBe(false);
  });

  it('cut-after-headers: 200 and the headers, then the connection closes before any byte of body', async () => {
    const { url, simulator } = await startSimulator();
    for (const stream of [true, false]) {
      const response = await postChat(url, { model: 'sim-small+fault-cut-after-headers', stream });
      expect(response.status).toBe(200);
      const read = await readStream(response);
      expect(read.data).toEqual([]);
      expect(read.error).toBeDefined();
    }
    await expect.poll(() => simulator.stats('default').cut).toBe(2);
  });
});

describe('after [DONE]', () => {
  it('done-then-linger-<ms>: the response ends that long after [DONE]', async () => {
    const { url } = await startSimulator();
    const started = performance.now();
    let doneAt = 0;
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-done-then-linger-200', stream: true }),
      (seen) => {
        if (doneAt === 0 && seen.at(-1) === '[DONE]') doneAt = performance.now() - started;
      },
    );
    expect(data.at(-1)).toBe('[DONE]');
    expect(performance.now() - started - doneAt).toBeGreaterThanOrEqual(150);
  });

  it('done-then-chatter: keep-alive comments after [DONE] until the client hangs up', async () => {
    const { url, simulator } = await startSimulator();
    const controller = new AbortController();
    const response = await postChat(
      url,
      { model: 'sim-small+fault-done-then-chatter', stream: true },
      { signal: controller.signal },
    );
    let text = '';
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    while (!text.includes(': still here')) text += Buffer.from((await reader.read()).value ?? []).toString();
    expect(text).toContain('data: [DONE]');
    controller.abort();
    await expect.poll(() => simulator.stats('default')).toMatchObject({ aborted: 1, inFlight: 0 });
  });
});

describe('runtime modelFaults and scripted replies', () => {
  it('applies model-name faults to every request of an instance, and rejects unknown kinds', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('default', { modelFaults: ['tool-call'] });
    const body = await json(await postChat(url, { model: 'sim-small' }));
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(() => simulator.setFaults('default', { modelFaults: ['nope'] })).toThrow(/unknown fault kind/);
  });

  it('answers with the reply script, keeping the wire format, usage and faults its own', async () => {
    const { url } = await startSimulator({ reply: (request) => `scripted for ${request.model}` });
    const body = await json(await postChat(url, { model: 'sim-small' }));
    expect(body.choices[0].message.content).toBe('scripted for sim-small');
    expect(body.usage.completion_tokens).toBe(3);
    expect((await postChat(url, { model: 'sim-small+fault-500' })).status).toBe(500);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
