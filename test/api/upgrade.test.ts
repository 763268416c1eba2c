import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/index.ts';
import type { Listening } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

let runtime: Runtime;
let listening: Listening;
const key = 'k-upgrade';

beforeAll(async () => {
  runtime = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      server: { apiKeys: [key] },
      analyzer: { enabled: false },
    }),
    role: 'gateway',
    only: ['gateway', 'api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  listening = await runtime.listen({ port: 0 });
});
afterAll(async () => {
  await runtime.stop();
});

/** What `curl --http2 http://…/path` sends: an HTTP/1.1 request asking to switch to cleartext HTTP/2. */
const h2cRequest = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n` +
  `HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n${extra}\r\n`;

interface RawExchange {
  /** Everything the server wrote before the deadline or its close. */
  text: string;
  /** The server ended or closed the connection. */
  closedByServer: boolean;
}

/** Writes raw bytes, reads until the server closes or a complete response head with its body arrived. */
function rawExchange(request: string, { waitForClose = false, timeoutMs = 3_000 } = {}) {
  return new Promise<RawExchange>((resolve, reject) => {
    const socket = connect(listening.port, '127.0.0.1');
    let text = '';
    const done = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? Number.NaN);
      const head = text.indexOf('\r\n\r\n');
      if (!waitForClose && head !== -1 && text.length >= head + 4 + (Number.isNaN(length) ? 0 : length))
        done(false);
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
  });
}

const connections = () =>
  new Promise<number>((resolve, reject) =>
    listening.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

describe('Upgrade requests on paths other than /ws/events', () => {
  it('an h2c Upgrade to /health gets the ordinary answer, as if no upgrade had been asked', async () => {
    const { text } = await rawExchange(h2cRequest('/health'));
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('{"status":"ok"}');
    expect(text).not.toMatch(/101 Switching Protocols/);
  });

  it.each([
    ['/api/providers', 401],
    ['/v1/models', 401],
    ['/no/such/path', 401],
  ])(
    'an h2c Upgrade to %s goes through authentication like any request (%i without a key)',
    async (path, status) => {
      const { text } = await rawExchange(h2cRequest(path));
      expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    },
  );

  it('an Upgrade whose target the URL parser rejects gets an answer and the server keeps serving', async () => {
    const { text } = await rawExchange(h2cRequest('//[').replace('Upgrade: h2c', 'Upgrade: websocket'));
    expect(text).toMatch(/^HTTP\/1\.1 [45]\d\d /);
    expect((await fetch(`${listening.url}/health`)).status).toBe(200);
  });

  it('a WebSocket Upgrade to another path is served as a plain request (with the key: 200)', async () => {
    const { text } = await rawExchange(
      h2cRequest('/api/providers', `Authorization: Bearer ${key}\r\n`).replace(
        'Upgrade: h2c',
        'Upgrade: websocket',
      ),
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('"data"');
  });

  it('a refused /ws/events upgrade is answered 401 and its connection closed by the server', async () => {
    const exchange = await rawExchange(
      'GET /ws/events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      { waitForClose: true },
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(exchange.closedByServer).toBe(true);
  });

  it('200 upgrade connections the client gave up on leave no socket open on the server, and /health answers', async () => {
    const baseline = await connections();
    const paths = ['/health', '/v1/models', '/api/providers', '/nope', '/ws/events/'];
    // Each client sends its request, then closes its side without reading (curl timing out, a scanner).
    await Promise.all(
      Array.from(
        { length: 200 },
        (_, index) =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(listening.port, '127.0.0.1', () => {
              socket.end(h2cRequest(paths[index % paths.length] ?? '/health'));
              resolve();
            });
            socket.on('error', reject);
            socket.resume();
          }),
      ),
    );
    await expect.poll(connections, { timeout: 5_000 }).toBeLessThanOrEqual(baseline);
    const health = await fetch(`${listening.url}/health`);
    expect(health.status).toBe(200);
  });

  it('the event socket itself still upgrades', async () => {
    const socket = new WebSocket(`${listening.url.replace('http', 'ws')}/ws/events?token=${key}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.close();
  });
});
