import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { defaultReplyText } from '../../src/simulator/index.ts';
import { startSimulator } from './helpers.ts';

const client = (baseURL: string) => new OpenAI({ baseURL, apiKey: 'sk-sim', maxRetries: 0 });

describe('the official openai SDK against the simulator', () => {
  it('completes a non-stream request', async () => {
    const { url } = await startSimulator();
    const completion = await client(`${url}/primary/v1`).chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'Reply with exactly: pong' }],
    });
    expect(completion.choices[0]?.message.content).toBe('pong');
    expect(completion.model).toBe('sim-small');
    expect(completion.usage).toEqual({ prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 });
  });

  it('streams with usage', async () => {
    const { url } = await startSimulator();
    const stream = await client(`${url}/v1`).chat.completions.create({
      model: 'sim-large',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(defaultReplyText);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(12);
  });

  it('lists models', async () => {
    const { url } = await startSimulator();
    const ids = [];
    for await (const model of client(`${url}/v1`).models.list()) ids.push(model.id);
    expect(ids).toEqual(['sim-small', 'sim-large', 'sim-echo']);
  });

  it.each([
    ['sim-small+fault-429', OpenAI.RateLimitError],
    ['sim-small+fault-503', OpenAI.InternalServerError],
    ['sim-small+fault-auth', OpenAI.AuthenticationError],
    ['sim-small+fault-context-length', OpenAI.BadRequestError],
    ['sim-small+fault-reset', OpenAI.APIConnectionError],
  ])('surfaces %s as the SDK error class it uses for OpenAI', async (model, errorClass) => {
    const { url } = await startSimulator();
    await expect(
      client(`${url}/v1`).chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(errorClass);
  });

  it('fails a stream that is cut mid-way instead of ending it quietly', async () => {
    const { url } = await startSimulator();
    const stream = await client(`${url}/v1`).chat.completions.create({
      model: 'sim-small+fault-cut-after-2',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(seen.join('')).toBe('This is');
  });
});
