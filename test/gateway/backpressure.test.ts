import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
const idleMs = 600;
const maxStreamBufferBytes = 64 * 1024;
/** Every socket the gateway accepted, to read what it holds in memory for each client. */
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  upstream = await startSimulatedUpstream();
  gateway = await startGateway({
    server: { maxStreamBufferBytes },
    providers: [
      fastProvider('primary', upstream.baseURL, {
        timeouts: { firstTokenMs: 2_000, idleMs, totalMs: 60_000 },
      }),
    ],
    routes: [{ model: '*', targets: [{ provider: 'primary' }] }],
    retry: fastRetry,
    circuitBreaker: { failureThreshold: 1, minimumRequests: 1 },
  });
  gateway.server.on('connection', (socket: Socket) => {
    serverSockets.add(socket);
    socket.once('close', () => serverSockets.delete(socket));
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

/** A raw HTTP/1.1 streaming request, so the test controls when (and whether) the response is read. */
function openStream(model: string): Promise<{ socket: Socket; head: string }> {
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  return new Promise((resolve, reject) => {
    const socket = connect(new URL(gateway.url).port ? Number(new URL(gateway.url).port) : 80, '127.0.0.1');
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      // What arrived with the head stays in `head`; the rest is left unread in the socket.
      resolve({ socket, head: received });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

const breakers = async () =>
  (
    (await (await fetch(`${gateway.url}/api/providers`)).json()) as {
      data: { state: string; inFlight: number }[];
    }
  ).data.map((provider) => [provider.state, provider.inFlight]);

const metric = async (name: string) =>
  (await gateway.telemetry.collectMetrics()).find((entry) => entry.descriptor.name === name)?.dataPoints ??
  [];

describe('stream relay backpressure', () => {
  it('a client that never reads: the gateway buffers at most maxStreamBufferBytes, stops reading the upstream, then drops the client and aborts the upstream', async () => {
    const abortedBefore = upstream.stats.aborted;
    const streamedBefore = upstream.bytesWritten;
    const { socket, head } = await openStream('sim-small+fault-flood-131072'); // 128 MiB offered
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    let largest = 0;
    const sample = setInterval(() => {
      for (const server of serverSockets) largest = Math.max(largest, server.writableLength);
    }, 10);
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    try {
      await expect
        .poll(() => upstream.stats.aborted, { timeout: 10_000, interval: 20 })
        .toBeGreaterThan(abortedBefore);
    } finally {
      clearInterval(sample);
    }
    // One upstream read (≤ 64 KiB) may sit beyond the bound; tens of MB would be the old behaviour.
    expect(largest).toBeLessThan(maxStreamBufferBytes + 256 * 1024);
    // The upstream was paused, not drained into memory: far less than offered left it.
    expect(upstream.bytesWritten - streamedBefore).toBeLessThan(64 * 1024 * 1024);
    socket.resume();
    await closedByServer;
    // The client's stall says nothing about the provider: breaker closed, nothing in flight.
    expect(await breakers()).toEqual([['closed', 0]]);
    const requests = await metric('inferwatch.gateway.requests');
    const stalled = requests.find((point) => point.attributes['error.type'] === 'client_stalled');
    expect(stalled?.attributes['inferwatch.outcome']).toBe('error');
    const attempts = await metric('inferwatch.gateway.attempts');
    expect(attempts.some((point) => point.attributes['error.type'] === 'cancelled')).toBe(true);
    expect(attempts.some((point) => point.attributes['error.type'] === 'timeout_idle')).toBe(false);
  });

  it('a slow but steady reader gets the whole stream, ending in [DONE], and the attempt counts as a success', async () => {
    const { socket, head } = await openStream('sim-small+fault-flood-4096'); // 4 MiB
    let text = head;
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('data: [DONE]')) resolve();
      });
      socket.once('close', () =>
        text.includes('data: [DONE]') ? resolve() : reject(new Error('closed early')),
      );
    });
    // Reads in bursts with pauses shorter than the idle timeout: slow, never stalled.
    const reader = setInterval(() => (socket.isPaused() ? socket.resume() : socket.pause()), idleMs / 4);
    try {
      await done;
    } finally {
      clearInterval(reader);
      socket.destroy();
    }
    expect(text.split('"content":"x').length - 1).toBe(4096);
    expect(text).not.toContain('"error"');
    expect(await breakers()).toEqual([['closed', 0]]);
  });
});
