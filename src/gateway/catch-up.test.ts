import { describe, expect, it } from 'vitest';
import { createCatchUp } from './catch-up.ts';
import { addUsage, createSplice } from './splice.ts';
import { createTranscript } from './transcript.ts';

const text = (content: string) => ({ content });
const tool = (index: number, args: string, head?: { id: string; name: string }) => ({
  tool_calls: [
    head
      ? { index, id: head.id, type: 'function', function: { name: head.name, arguments: args } }
      : { index, function: { arguments: args } },
  ],
});

/** What the client received, as a transcript of these deltas. */
function received(...deltas: Record<string, unknown>[]) {
  const transcript = createTranscript();
  for (const delta of deltas) transcript.add(delta);
  return transcript.parts;
}

/** Feeds deltas; returns what reached the client, or where it diverged. */
function replay(parts: ReturnType<typeof received>, ...deltas: Record<string, unknown>[]) {
  const catchUp = createCatchUp(parts);
  const out: unknown[] = [];
  for (const delta of deltas) {
    const step = catchUp.feed(delta);
    if (!step.ok) return { diverged: step.offset, out };
    if (step.delta) out.push(step.delta);
  }
  return { caughtUp: catchUp.caughtUp, out };
}

describe('replaying an answer against what the client received', () => {
  it('withholds the repeated text and lets out only what is new, whatever the chunking', () => {
    const parts = received(text('Hello'), text(' wor'));
    expect(replay(parts, text('Hel'), text('lo w'), text('orld'), text('!'))).toEqual({
      caughtUp: true,
      out: [{ content: 'ld' }, { content: '!' }],
    });
  });

  it('catches up exactly at a chunk boundary and sends the next chunk whole', () => {
    expect(replay(received(text('ab')), text('ab'), text('cd'))).toEqual({
      caughtUp: true,
      out: [{ content: 'cd' }],
    });
  });

  it.each([
    ['a different word', [text('Hello'), text(' there')], 5],
    ['a different first character', [text('Jello')], 0],
    ['a tool call before the text was repeated', [text('Hel'), tool(0, '{}', { id: 'x', name: 'f' })], 3],
  ])('stops at %s, with its offset, and lets nothing out', (_name, deltas, offset) => {
    expect(replay(received(text('Hello world')), ...deltas)).toEqual({ diverged: offset, out: [] });
  });

  it('compares tool-call arguments and names, not ids, and continues the arguments', () => {
    const parts = received(
      text('Let me look.'),
      tool(0, '', { id: 'call_a', name: 'lookup' }),
      tool(0, '{"q":"ca'),
    );
    expect(
      replay(
        parts,
        text('Let me look.'),
        tool(0, '', { id: 'call_b', name: 'lookup' }),
        tool(0, '{"q":'),
        tool(0, '"cats"}'),
      ),
    ).toEqual({ caughtUp: true, out: [{ tool_calls: [{ index: 0, function: { arguments: 'ts"}' } }] }] });
    expect(replay(parts, text('Let me look.'), tool(0, '', { id: 'call_b', name: 'search' }))).toEqual({
      diverged: 12,
      out: [],
    });
  });

  it('does not let a part the client saw end grow longer', () => {
    const parts = received(text('Hi'), tool(0, '{}', { id: 'c', name: 'f' }));
    expect(replay(parts, text('Hi there'))).toEqual({ diverged: 0, out: [] });
  });

  it('lets a new tool call through whole once the client is caught up', () => {
    const call = tool(1, '{}', { id: 'call_new', name: 'g' });
    expect(replay(received(text('ok')), text('ok'), call)).toEqual({ caughtUp: true, out: [call] });
  });
});

describe('the spliced stream', () => {
  const identity = { id: 'chatcmpl-first', model: 'first-model', created: 1 };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}) => {
    const json = {
      id: 'chatcmpl-second',
      model: 'second-model',
      created: 2,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...extra,
    };
    return { data: JSON.stringify(json), json };
  };

  it('carries the first stream’s id and model, drops the repeated role opening and adds both attempts’ usage', () => {
    const splice = createSplice({
      identity,
      received: received(text('Hi')),
      earlier: [{ input: 10, output: 3, cachedInput: 0, estimated: true }],
    });
    expect(splice.chunk(chunk({ role: 'assistant', content: '' }))).toEqual({ ok: true, chunk: undefined });
    expect(splice.chunk(chunk(text('Hi')))).toEqual({ ok: true, chunk: undefined });
    const next = splice.chunk(chunk(text(' there')));
    expect(next.ok && next.chunk?.json).toMatchObject({
      id: 'chatcmpl-first',
      model: 'first-model',
      created: 1,
    });
    const usage = {
      data: '',
      json: { id: 'x', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4 } },
    };
    const counted = splice.chunk(usage);
    expect(counted.ok && counted.chunk?.json.usage).toEqual({
      prompt_tokens: 19,
      completion_tokens: 7,
      total_tokens: 26,
    });
  });

  it('ends as diverged when the replacement finishes before repeating what was sent', () => {
    const splice = createSplice({ identity, received: received(text('Hello')), earlier: [] });
    expect(splice.chunk(chunk(text('Hel')))).toEqual({ ok: true, chunk: undefined });
    expect(splice.chunk(chunk({}, 'stop'))).toMatchObject({ ok: false });
  });

  it('adds cached input tokens when either attempt reports them', () => {
    expect(
      addUsage({ prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 2 } }, [
        { input: 5, output: 2, cachedInput: 3, estimated: false },
      ]),
    ).toEqual({
      prompt_tokens: 10,
      completion_tokens: 3,
      total_tokens: 13,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });
});
