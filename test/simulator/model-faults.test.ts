import { describe, expect, it } from 'vitest';
import { defaultReplyText } from '../../src/simulator/index.ts';
import { contents, json, postChat, readStream, startSimulator, userMessage } from './helpers.ts';

describe('faults chosen by model name', () => {
  it.each([
    ['fault-429', 429, 'rate_limit_exceeded', null],
    ['sim-small+fault-429-retry-after-7', 429, 'rate_limit_exceeded', '7'],
    ['sim-small+fault-500', 500, 'server_error', null],
    ['sim-small+fault-502', 502, 'server_error', null],
    ['sim-small+fault-503', 503, 'service_unavailable', null],
    ['sim-small+fault-overloaded', 503, 'overloaded', null],
    ['sim-small+fault-context-length', 400, 'context_length_exceeded', null],
    ['sim-small+fault-content-filter', 400, 'content_filter', null],
    ['sim-small+fault-auth', 401, 'invalid_api_key', null],
  ])('%s answers %i with code %s', async (model, status, code, retryAfter) => {
    const { url } = await startSimulator();
    for (const stream of [false, true]) {
      const response = await postChat(url, { model, stream });
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBe(retryAfter);
      const { error } = await json(response);
      expect(error).toMatchObject({ code, message: expect.any(String), type: expect.any(String) });
    }
  });

  it('reset destroys the connection before any response', async () => {
    const { url, simulator } = await startSimulator();
    await expect(postChat(url, { model: 'sim-small+fault-reset' })).rejects.toThrow();
    await expect.poll(() => simulator.stats('default')).toMatchObject({ cut: 1, aborted: 0, inFlight: 0 });
    expect(simulator.stats('default').byStatus).toEqual({});
  });

  it('silence accepts and never answers; the client giving up counts as aborted', async () => {
    const { url, simulator } = await startSimulator();
    const controller = new AbortController();
    const pending = postChat(url, { model: 'sim-small+fault-silence' }, { signal: controller.signal });
    await expect.poll(() => simulator.stats('default').inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect
      .poll(() => simulator.stats('default'))
      .toMatchObject({ aborted: 1, inFlight: 0, completed: 0 });
  });

  it('slow-first-token sends headers at once and the first chunk after the delay', async () => {
    const { url } = await startSimulator();
    const started = performance.now();
    const response = await postChat(url, { model: 'sim-small+fault-slow-first-token-300', stream: true });
    const headersAfter = performance.now() - started;
    let firstChunkAfter = 0;
    await readStream(response, (data) => {
      if (data.length > 0 && firstChunkAfter === 0) firstChunkAfter = performance.now() - started;
    });
    expect(headersAfter).toBeLessThan(250);
    expect(firstChunkAfter).toBeGreaterThanOrEqual(290);
  });

  it('cut-after-3 streams three content chunks, then destroys the socket', async () => {
    const { url, simulator } = await startSimulator();
    const response = await postChat(url, { model: 'sim-small+fault-cut-after-3', stream: true });
    expect(response.status).toBe(200);
    const { data, error } = await readStream(response);
    expect(error).toBeDefined();
    expect(contents(data)).toEqual(['This', ' is', ' a']);
    expect(data).not.toContain('[DONE]');
    await expect.poll(() => simulator.stats('default')).toMatchObject({ cut: 1, aborted: 0 });
  });

  it('cut-after-n breaks a non-stream body half-way', async () => {
    const { url } = await startSimulator();
    const response = await postChat(url, { model: 'sim-small+fault-cut-after-2' });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('stall-after-2 streams two content chunks, then keeps the connection open and silent', async () => {
    const { url, simulator } = await startSimulator();
    const controller = new AbortController();
    const response = await postChat(
      url,
      { model: 'sim-small+fault-stall-after-2', stream: true },
      { signal: controller.signal },
    );
    let seen: string[] = [];
    const reading = readStream(response, (data) => {
      seen = contents(data);
    });
    await expect.poll(() => seen).toEqual(['This', ' is']);
    // Tokens are sent back to back here (tokensPerSecond 0): a healthy stream would have finished long
    // before this window closes, so silence through it shows the stall.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen).toEqual(['This', ' is']);
    expect(simulator.stats('default').inFlight).toBe(1);
    controller.abort();
    expect((await reading).data).not.toContain('[DONE]');
    await expect.poll(() => simulator.stats('default')).toMatchObject({ aborted: 1, inFlight: 0 });
  });

  it('malformed sends one chunk that is not JSON mid-stream', async () => {
    const { url } = await startSimulator();
    const { data } = await readStream(
      await postChat(url, { model: 'sim-small+fault-malformed', stream: true }),
    );
    const broken = data.filter((item) => {
      try {
        JSON.parse(item);
        return false;
      } catch {
        return item !== '[DONE]';
      }
    });
    expect(broken).toHaveLength(1);
    expect(data.indexOf(broken[0] as string)).toBe(2);
  });

  it('malformed answers a non-stream request with a body that is not JSON', async () => {
    const { url } = await startSimulator();
    const response = await postChat(url, { model: 'sim-small+fault-malformed' });
    expect(response.status).toBe(200);
    await expect(json(response)).rejects.toThrow();
  });

  it('no-done ends a complete stream (finish_reason stop) without [DONE]', async () => {
    const { url } = await startSimulator();
    const { data, error } = await readStream(
      await postChat(url, { model: 'sim-small+fault-no-done', stream: true }),
    );
    expect(error).toBeUndefined();
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1) as string).choices[0].finish_reason).toBe('stop');
    expect(contents(data).join('')).toBe(defaultReplyText);
  });

  it('no-done-cut ends cleanly with neither finish_reason nor [DONE]', async () => {
    const { url } = await startSimulator();
    const { data, error } = await readStream(
      await postChat(url, { model: 'sim-small+fault-no-done-cut', stream: true }),
    );
    expect(error).toBeUndefined();
    expect(data).not.toContain('[DONE]');
    expect(data.every((item) => JSON.parse(item).choices[0].finish_reason === null)).toBe(true);
    expect(contents(data).join('')).toBe(defaultReplyText);
  });

  it('empty replies with empty content and zero completion tokens', async () => {
    const { url } = await startSimulator();
    const body = await json(await postChat(url, { model: 'sim-small+fault-empty' }));
    expect(body.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'stop' });
    expect(body.usage.completion_tokens).toBe(0);
    const { data } = await readStream(await postChat(url, { model: 'sim-small+fault-empty', stream: true }));
    expect(contents(data)).toEqual([]);
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('wrong-answer ignores "Reply with exactly"', async () => {
    const { url } = await startSimulator();
    const ask = (model: string) =>
      postChat(url, { model, messages: userMessage('Reply with exactly: pong') }).then(json);
    expect((await ask('sim-small')).choices[0].message.content).toBe('pong');
    expect((await ask('sim-small+fault-wrong-answer')).choices[0].message.content).toBe(defaultReplyText);
  });

  it('chains faults and answers with the requested model name', async () => {
    const { url } = await startSimulator();
    const model = 'sim-small+fault-slow-first-token-50+fault-cut-after-1';
    const response = await postChat(url, { model, stream: true });
    const { data, error } = await readStream(response);
    expect(error).toBeDefined();
    expect(JSON.parse(data[0] as string).model).toBe(model);
    expect(contents(data)).toEqual(['This']);
  });
});
