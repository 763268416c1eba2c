import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../sse.ts';
import type { StreamEnd } from '../types.ts';
import { createStreamTranslator } from './stream.ts';

const event = (type: string, data: Record<string, unknown>): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...data }),
});

const start = event('message_start', {
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content: [],
    stop_reason: null,
    usage: { input_tokens: 25, output_tokens: 1, cache_read_input_tokens: 5 },
  },
});
const textStart = event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
const text = (value: string, index = 0) =>
  event('content_block_delta', { index, delta: { type: 'text_delta', text: value } });
const blockStop = (index = 0) => event('content_block_stop', { index });
const messageDelta = (stop: string, output: number) =>
  event('message_delta', {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: output },
  });
const stop = event('message_stop', {});

function run(events: SseEvent[], includeUsage = false) {
  const translator = createStreamTranslator({ created: 100, includeUsage });
  const chunks: Record<string, unknown>[] = [];
  let end: StreamEnd | undefined;
  for (const item of events) {
    const step = translator.push(item);
    chunks.push(...step.chunks);
    if (step.end) {
      end = step.end;
      break;
    }
  }
  return { chunks, end: end ?? translator.finish() };
}

const deltas = (chunks: Record<string, unknown>[]) =>
  chunks.map((chunk) => (chunk.choices as { delta: unknown; finish_reason: unknown }[])[0]);

describe('Anthropic event stream → OpenAI chat completion chunks', () => {
  it('translates a text answer: role chunk, content, finish, and the usage chunk when asked', () => {
    const { chunks, end } = run(
      [
        start,
        textStart,
        event('ping', {}),
        text('Hello'),
        text(' there'),
        blockStop(),
        messageDelta('end_turn', 2),
        stop,
      ],
      true,
    );
    expect(deltas(chunks.slice(0, 4))).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: ' there' }, logprobs: null, finish_reason: null },
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(chunks[0]).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion.chunk',
      created: 100,
      model: 'claude-x',
    });
    expect(chunks[4]).toEqual({
      id: 'msg_1',
      object: 'chat.completion.chunk',
      created: 100,
      model: 'claude-x',
      choices: [],
      usage: {
        prompt_tokens: 30,
        completion_tokens: 2,
        total_tokens: 32,
        prompt_tokens_details: { cached_tokens: 5 },
      },
    });
    expect(end).toEqual({
      ok: true,
      done: true,
      finishReason: 'stop',
      usage: {
        prompt_tokens: 30,
        completion_tokens: 2,
        total_tokens: 32,
        prompt_tokens_details: { cached_tokens: 5 },
      },
    });
  });

  it('sends no usage chunk when the client did not ask, but still reports usage', () => {
    const { chunks, end } = run([
      start,
      textStart,
      text('Hi'),
      blockStop(),
      messageDelta('max_tokens', 1),
      stop,
    ]);
    expect(chunks.every((chunk) => (chunk.choices as unknown[]).length === 1)).toBe(true);
    expect(end).toMatchObject({ ok: true, finishReason: 'length', usage: { completion_tokens: 1 } });
  });

  it('numbers tool calls by their order, not by content block index, and streams their arguments', () => {
    const { chunks, end } = run([
      start,
      textStart,
      text('Checking.'),
      blockStop(),
      event('content_block_start', {
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} },
      }),
      event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
      event('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      }),
      event('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
      }),
      blockStop(1),
      event('content_block_start', {
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} },
      }),
      blockStop(2),
      messageDelta('tool_use', 30),
      stop,
    ]);
    expect(deltas(chunks).map((choice) => choice?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking.' },
      {
        tool_calls: [
          { index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      {
        tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'now', arguments: '' } }],
      },
      {},
    ]);
    expect(end).toMatchObject({ ok: true, finishReason: 'tool_calls' });
  });

  it('skips thinking blocks and event types it does not know', () => {
    const { chunks } = run([
      start,
      event('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
      event('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'x' } }),
      event('something_new', { detail: 1 }),
      text('Answer', 1),
      messageDelta('end_turn', 3),
      stop,
    ]);
    expect(deltas(chunks).map((choice) => choice?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Answer' },
      {},
    ]);
  });

  it('ends with the class of a mid-stream error event', () => {
    const { chunks, end } = run([
      start,
      textStart,
      text('Hel'),
      event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      text('never'),
    ]);
    expect(chunks).toHaveLength(2);
    expect(end).toMatchObject({ ok: false, type: 'model_overloaded' });
  });

  it('calls a stream without a stop reason a cut, and one with a stop reason but no message_stop complete', () => {
    expect(run([start, textStart, text('Hel')]).end).toMatchObject({ ok: false, type: 'stream_cut' });
    expect(run([start, textStart, text('Hello'), messageDelta('end_turn', 1)]).end).toMatchObject({
      ok: true,
      done: false,
      finishReason: 'stop',
    });
  });

  it('calls an event that is not JSON, or a stream that does not open with message_start, malformed', () => {
    expect(run([start, { event: 'content_block_delta', data: '{"type":' }]).end).toMatchObject({
      ok: false,
      type: 'malformed_response',
    });
    expect(run([text('x')]).end).toMatchObject({ ok: false, type: 'malformed_response' });
  });
});
