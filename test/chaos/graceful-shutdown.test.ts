import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Spawned, spawnInferwatch } from './process.ts';

let running: Spawned | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

/** Opens a slow stream (first token after 800 ms, then 10 tokens/s: ~2 s) and resolves when headers arrive. */
async function openSlowStream(url: string, signal?: AbortSignal) {
  const faults = await fetch(`${url}/simulator/_sim/primary/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tokensPerSecond: 10 }),
  });
  expect(faults.status).toBe(200);
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'sim-small+fault-slow-first-token-800',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    }),
    signal,
  });
  expect(response.status).toBe(200);
  const body = response.body;
  if (!body) throw new Error('no body');
  // Never rejects: a cut stream resolves with what arrived plus a marker.
  const text = (async () => {
    let all = '';
    try {
      for await (const chunk of body.pipeThrough(new TextDecoderStream())) all += chunk;
    } catch (error) {
      all += `\n[cut: ${(error as Error).message}]`;
    }
    return all;
  })();
  return { text };
}

describe('graceful shutdown of inferwatch start', () => {
  it('SIGTERM: stops accepting, lets the in-flight stream finish with [DONE], exits 0', async () => {
    running = await spawnInferwatch();
    const { url, child } = running;
    const stream = await openSlowStream(url);
    child.kill('SIGTERM');
    // New connections are refused while the stream is still being served.
    await expect
      .poll(
        () =>
          fetch(`${url}/health`).then(
            () => 'accepted',
            (error: Error) => String(error.cause ?? error),
          ),
        {
          timeout: 2_000,
          interval: 50,
        },
      )
      .toMatch(/ECONNREFUSED/);
    const text = await stream.text;
    const streamEnded = performance.now();
    expect(text).toContain('data: [DONE]');
    expect(text).toContain('"finish_reason":"stop"');
    const exit = await running.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('shutting down');
    // Gone once the stream is done, not at the end of the 10 s grace (its keep-alive connection is closed).
    expect(performance.now() - streamEnded).toBeLessThan(3_000);
  }, 30_000);

  it('connections without a request in progress do not hold shutdown: a silent one, an aborted stream', async () => {
    running = await spawnInferwatch();
    const { url, port, child } = running;
    // A connection that never sends a request, as load balancers and browsers pre-open them.
    const silent = connect(port, '127.0.0.1');
    await new Promise((done) => silent.once('connect', done));
    const silentClosed = new Promise((done) => silent.once('close', done));
    // A client that gives up on its stream after the headers (the upstream request is cancelled).
    const giveUp = new AbortController();
    await openSlowStream(url, giveUp.signal);
    giveUp.abort();
    const started = performance.now();
    child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    await silentClosed;
    // Well inside the 10 s grace: nothing was left to wait for.
    expect(performance.now() - started).toBeLessThan(3_000);
  }, 30_000);

  it('a second SIGTERM exits at once, without waiting for the stream', async () => {
    running = await spawnInferwatch();
    const { url, child } = running;
    const stream = await openSlowStream(url);
    const started = performance.now();
    child.kill('SIGTERM');
    await expect.poll(() => running?.output().includes('shutting down')).toBe(true);
    child.kill('SIGTERM');
    const exit = await running.exited;
    const elapsed = performance.now() - started;
    expect(exit.code).not.toBe(0);
    expect(elapsed).toBeLessThan(700);
    // The stream was cut, not completed.
    const text = await stream.text;
    expect(text).not.toContain('data: [DONE]');
    expect(text).toContain('[cut:');
  }, 30_000);
});
