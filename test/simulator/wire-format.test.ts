import { describe, expect, it } from 'vitest';
import { defaultReplyText } from '../../src/simulator/index.ts';
import { contents, json, postChat, readStream, startSimulator, userMessage } from './helpers.ts';

describe('simulator wire format', () => {
  it('answers a non-stream request with a chat.completion object and usage', async () => {
    const { url } = await startSimulator({ now: () => 1_750_000_000_000 });
    const response = await postChat(url, { model: 'sim-small', messages: userMessage('one two three') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json(response);
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'sim-small',
      choices: [
        { index: 0, message: { role: 'assistant', content: defaultReplyText }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 12, total_tokens: 15 },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
  });

  it('streams role, one chunk per word, a stop chunk, a usage chunk and [DONE]', async () => {
    const { url } = await startSimulator();
    const response = await postChat(url, {
      model: 'sim-large',
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage('Reply with exactly: alpha beta gamma'),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data, error } = await readStream(response);
    expect(error).toBeUndefined();
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((item) => JSON.parse(item));
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'sim-large', id: chunks[0].id });
    }
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    expect(contents(data)).toEqual(['alpha', ' beta', ' gamma']);
    const finish = chunks.at(-2);
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 },
    });
  });

  it('sends no usage chunk unless include_usage is set', async () => {
    const { url } = await startSimulator();
    const { data } = await readStream(await postChat(url, { model: 'sim-small', stream: true }));
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.slice(0, -1).every((item) => !('usage' in JSON.parse(item)))).toBe(true);
    expect(contents(data).join('')).toBe(defaultReplyText);
  });

  it('echoes the last user message with sim-echo, content parts included', async () => {
    const { url } = await startSimulator();
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'echo me back' }] },
    ];
    const body = await json(await postChat(url, { model: 'sim-echo', messages }));
    expect(body.choices[0].message.content).toBe('echo me back');
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('truncates at max_tokens with finish_reason length', async () => {
    const { url } = await startSimulator();
    const body = await json(await postChat(url, { model: 'sim-small', max_tokens: 4 }));
    expect(body.choices[0]).toMatchObject({
      message: { content: 'This is a simulated' },
      finish_reason: 'length',
    });
  });

  it('lists its models in the OpenAI list shape', async () => {
    const { url } = await startSimulator();
    const body = await json(await fetch(`${url}/primary/v1/models`));
    expect(body.object).toBe('list');
    expect(body.data.map((model: { id: string }) => model.id)).toEqual([
      'sim-small',
      'sim-large',
      'sim-echo',
    ]);
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
  });

  it('answers a model it does not serve with 404 model_not_found, as OpenAI does', async () => {
    const { url } = await startSimulator();
    for (const model of ['gpt-4o-mini', 'gpt-4o-mini+fault-429']) {
      const response = await postChat(url, { model });
      expect(response.status).toBe(404);
      expect((await json(response)).error).toEqual({
        message: 'The model `gpt-4o-mini` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: null,
      });
    }
    const served = await startSimulator({ models: ['gpt-4o-mini'] });
    expect((await postChat(served.url, { model: 'gpt-4o-mini' })).status).toBe(200);
    expect((await postChat(served.url, { model: 'sim-small' })).status).toBe(404);
  });

  it.each([
    [
      'missing messages',
      { model: 'sim-small', messages: undefined },
      'messages',
      'missing_required_parameter',
    ],
    ['messages not an array', { model: 'sim-small', messages: 'hi' }, 'messages', 'invalid_type'],
    ['empty messages', { model: 'sim-small', messages: [] }, 'messages', 'empty_array'],
    [
      'message without role',
      { model: 'sim-small', messages: [{ content: 'x' }] },
      'messages[0]',
      'invalid_type',
    ],
    ['missing model', { model: undefined }, 'model', 'missing_required_parameter'],
    ['stream not a boolean', { model: 'sim-small', stream: 'true' }, 'stream', 'invalid_type'],
    ['unknown fault', { model: 'sim-small+fault-nope' }, 'model', 'model_not_found'],
  ])('rejects %s with an OpenAI-shaped 400', async (_name, body, param, code) => {
    const { url } = await startSimulator();
    const response = await postChat(url, body);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('rejects a body over 4 MiB with 413 and keeps serving', async () => {
    const { url } = await startSimulator();
    const huge = await postChat(url, {
      model: 'sim-small',
      messages: userMessage('x'.repeat(5 * 1024 * 1024)),
    });
    expect(huge.status).toBe(413);
    expect((await json(huge)).error.code).toBe('body_too_large');
    expect((await postChat(url, { model: 'sim-small' })).status).toBe(200);
  });

  it('rejects a body that is not JSON', async () => {
    const { url } = await startSimulator();
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(response.status).toBe(400);
    expect((await json(response)).error.code).toBe('invalid_json');
  });

  it('keeps each instance separate: faults and stats of one do not touch another', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('primary', { mode: 'outage' });
    expect((await postChat(`${url}/primary`, { model: 'sim-small' })).status).toBe(502);
    expect((await postChat(`${url}/backup`, { model: 'sim-small' })).status).toBe(200);
    expect((await postChat(url, { model: 'sim-small' })).status).toBe(200);
    expect(simulator.stats('primary').byStatus).toEqual({ '502': 1 });
    expect(simulator.stats('backup').byStatus).toEqual({ '200': 1 });
    expect(simulator.stats('default').requests).toBe(1);
  });

  it('records the last chat request as sent, with credentials redacted, and returns a request id', async () => {
    const { url, simulator } = await startSimulator();
    expect((await fetch(`${url}/_sim/primary/last-request`)).status).toBe(404);
    const response = await postChat(
      `${url}/primary`,
      { model: 'sim-small', custom_field: { keep: true } },
      {
        headers: {
          authorization: 'Bearer sk-secret',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      },
    );
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const recorded = await json(await fetch(`${url}/_sim/primary/last-request`));
    expect(recorded.body).toMatchObject({ model: 'sim-small', custom_field: { keep: true } });
    expect(recorded.headers).toMatchObject({
      authorization: '[redacted]',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(simulator.lastRequest('primary')).toEqual(recorded);
  });
});
