import { describe, expect, it } from 'vitest';
import { finishReason, toChatCompletion, toUsage } from './answer.ts';

describe('Anthropic Messages answer → OpenAI chat completion', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['pause_turn', 'stop'],
    ['refusal', 'content_filter'],
    ['a_reason_from_the_future', 'stop'],
    [null, null],
  ])('stop_reason %s → finish_reason %s', (stop, finish) => {
    expect(finishReason(stop)).toBe(finish);
  });

  it('counts cached input in prompt_tokens and reports it as cached_tokens', () => {
    expect(
      toUsage({
        input_tokens: 10,
        output_tokens: 5,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 20,
      }),
    ).toEqual({
      prompt_tokens: 130,
      completion_tokens: 5,
      total_tokens: 135,
      prompt_tokens_details: { cached_tokens: 100 },
    });
    expect(toUsage({ input_tokens: 3, output_tokens: 2, cache_read_input_tokens: null })).toMatchObject({
      prompt_tokens: 3,
      total_tokens: 5,
    });
  });

  it('joins text blocks, maps tool_use blocks to tool_calls and leaves thinking out', () => {
    const completion = toChatCompletion(
      {
        id: 'msg_1',
        model: 'claude-x',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'text', text: 'Let me ' },
          { type: 'text', text: 'check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 12, output_tokens: 7 },
      },
      1_700_000_000,
    );
    expect(completion).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            refusal: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 7,
        total_tokens: 19,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
  });

  it('gives a tool-only answer null content, as OpenAI does', () => {
    const completion = toChatCompletion(
      {
        id: 'm',
        model: 'c',
        content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }],
        stop_reason: 'tool_use',
      },
      0,
    );
    expect((completion.choices as { message: { content: unknown } }[])[0]?.message.content).toBeNull();
  });
});
