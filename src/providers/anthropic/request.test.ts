import { describe, expect, it } from 'vitest';
import { toMessagesRequest } from './request.ts';

const options = { defaultMaxTokens: 1024, version: '2023-06-01' };
const translate = (chat: Record<string, unknown>) => {
  const result = toMessagesRequest({ model: 'claude-x', ...chat }, options);
  if (!result.ok) throw new Error(`expected a translation, got ${result.message}`);
  return result;
};
const refusal = (chat: Record<string, unknown>) => {
  const result = toMessagesRequest({ model: 'claude-x', ...chat }, options);
  if (result.ok) throw new Error('expected a refusal');
  return result;
};

describe('OpenAI chat request → Anthropic Messages request', () => {
  it('moves system and developer messages to the top-level system, in order', () => {
    const { body } = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      ],
    });
    expect(body.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in French.' },
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('sends a single system message as a plain string', () => {
    const { body } = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(body.system).toBe('Be brief.');
  });

  it('merges consecutive messages of one role into one turn', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: 'second' },
        { role: 'assistant', content: 'ok' },
        { role: 'assistant', content: 'and more' },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'first' },
          { type: 'text', text: 'second' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'ok' },
          { type: 'text', text: 'and more' },
        ],
      },
    ]);
  });

  it('maps assistant tool calls to tool_use blocks and tool messages to tool_result blocks, results first', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
  });

  it('translates images given as data URLs and as http URLs, and PDFs as documents', () => {
    const { body } = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
          ],
        },
      ],
    });
    expect((body.messages as { content: unknown[] }[])[0]?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });

  it('translates tool definitions, tool_choice and parallel_tool_calls', () => {
    const { body } = translate({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
        { type: 'function', function: { name: 'now' } },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
    });
    expect(body.tools).toEqual([
      {
        name: 'weather',
        description: 'Current weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'weather', disable_parallel_tool_use: true });
  });

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['required', undefined, { type: 'any' }],
    ['none', undefined, { type: 'none' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, undefined, undefined],
  ])('tool_choice %s with parallel_tool_calls %s → %j', (choice, parallel, expected) => {
    const { body } = translate({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'now' } }],
      ...(choice === undefined ? {} : { tool_choice: choice }),
      ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
    });
    expect(body.tool_choice).toEqual(expected);
  });

  it('supplies max_tokens when the client omitted it, and takes max_completion_tokens over max_tokens', () => {
    expect(translate({ messages: [{ role: 'user', content: 'hi' }] }).body.max_tokens).toBe(1024);
    expect(translate({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 }).body.max_tokens).toBe(
      50,
    );
    expect(
      translate({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, max_completion_tokens: 70 })
        .body.max_tokens,
    ).toBe(70);
  });

  it('maps stop to stop_sequences, keeps temperature, top_p, stream and the user as metadata', () => {
    const { body, includeUsage } = translate({
      messages: [{ role: 'user', content: 'hi' }],
      stop: 'END',
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      stream_options: { include_usage: true },
      user: 'user-42',
      top_k: 5,
    });
    expect(body).toMatchObject({
      model: 'claude-x',
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      metadata: { user_id: 'user-42' },
      top_k: 5,
    });
    expect(includeUsage).toBe(true);
    expect(
      translate({ messages: [{ role: 'user', content: 'hi' }], stop: ['a', 'b'] }).body.stop_sequences,
    ).toEqual(['a', 'b']);
  });

  it('leaves out temperature, top_p and top_k under API version 2026-10-21, which removed them', () => {
    const result = toMessagesRequest(
      {
        model: 'claude-x',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 5,
      },
      { defaultMaxTokens: 1024, version: '2026-10-21' },
    );
    expect(result.ok && Object.keys(result.body).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('leaves out sampling fields without an Anthropic equivalent and empty text', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '' },
      ],
      frequency_penalty: 0.5,
      presence_penalty: 0.5,
      seed: 7,
      logit_bias: { 50256: -100 },
      stream_options: { include_usage: false },
      response_format: { type: 'text' },
    });
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ response_format: { type: 'json_object' } }, 'response_format'],
    [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    [{ tool_choice: 'sometimes' }, 'tool_choice'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{not json' } }],
          },
        ],
      },
      'messages[0].tool_calls[0].function.arguments',
    ],
    [
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      'messages[0].content[0]',
    ],
    [{ messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] },
      'messages[0].content[0]',
    ],
  ])('refuses %j with a 400 that names %s', (extra, param) => {
    const failed = refusal({ messages: [{ role: 'user', content: 'hi' }], ...extra });
    expect(failed.type).toBe('client_error');
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({
      error: { type: 'invalid_request_error', code: 'unsupported_by_provider', param },
    });
  });
});
