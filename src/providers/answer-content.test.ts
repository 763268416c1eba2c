import { describe, expect, it } from 'vitest';
import { chunkHasContent, completionChars, isEmptyCompletion, outputChars } from './answer-content.ts';

const completion = (message: Record<string, unknown>, finish = 'stop') => ({
  choices: [{ index: 0, message, finish_reason: finish }],
});

describe('isEmptyCompletion', () => {
  it('calls an answer with nothing but its role (and empty or null fields) empty', () => {
    expect(
      isEmptyCompletion(
        completion({ role: 'assistant', content: '', refusal: null, annotations: [], audio: null }),
      ),
    ).toBe(true);
    expect(isEmptyCompletion({ choices: [] })).toBe(true);
  });

  it('counts text, tool calls, refusals and fields it does not know (reasoning) as content', () => {
    expect(isEmptyCompletion(completion({ role: 'assistant', content: 'ok' }))).toBe(false);
    expect(isEmptyCompletion(completion({ content: null, tool_calls: [{ id: 'c' }] }, 'tool_calls'))).toBe(
      false,
    );
    expect(isEmptyCompletion(completion({ content: null, refusal: 'no' }))).toBe(false);
    expect(isEmptyCompletion(completion({ content: '', reasoning_content: 'thinking' }))).toBe(false);
  });

  it('does not call an answer empty when its finish reason explains it', () => {
    expect(isEmptyCompletion(completion({ content: '' }, 'length'))).toBe(false);
    expect(isEmptyCompletion(completion({ content: '' }, 'content_filter'))).toBe(false);
  });

  it('is empty only when every choice is', () => {
    const json = {
      choices: [...completion({ content: '' }).choices, ...completion({ content: 'b' }).choices],
    };
    expect(isEmptyCompletion(json)).toBe(false);
  });
});

describe('chunkHasContent', () => {
  const chunk = (delta: unknown, finish: string | null = null) => ({
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  it('is false for the preamble, a bare finish and a usage-only chunk', () => {
    expect(chunkHasContent(chunk({ role: 'assistant', content: '' }))).toBe(false);
    expect(chunkHasContent(chunk({}, 'stop'))).toBe(false);
    expect(chunkHasContent({ choices: [], usage: { total_tokens: 3 } })).toBe(false);
  });

  it('is true for text and tool-call deltas', () => {
    expect(chunkHasContent(chunk({ content: 'Hi' }))).toBe(true);
    expect(chunkHasContent(chunk({ tool_calls: [{ index: 0, function: { arguments: '{' } }] }))).toBe(true);
  });
});

describe('outputChars', () => {
  const chunk = (delta: unknown) => ({ choices: [{ index: 0, delta, finish_reason: null }] });

  it.each([
    ['the preamble', { role: 'assistant', content: '' }, -1],
    ['a bare finish', {}, -1],
    ['text', { content: 'Hello' }, 5],
    ['a refusal', { refusal: 'No.' }, 3],
    [
      'a tool call: its name and arguments, not its id or type',
      {
        tool_calls: [
          { index: 0, id: 'call_abc', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
        ],
      },
      8,
    ],
  ])('counts %s', (_label, delta, expected) => {
    expect(outputChars(chunk(delta))).toBe(expected);
  });

  it('counts a usage-only chunk as no output, and a complete answer by its messages', () => {
    expect(outputChars({ choices: [], usage: { total_tokens: 3 } })).toBe(-1);
    expect(completionChars(completion({ role: 'assistant', content: 'Hi there' }))).toBe(8);
  });
});
