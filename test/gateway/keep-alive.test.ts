import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, startGateway } from './harness.ts';

let gateway: GatewayUnderTest | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

/** One keep-alive request on a raw socket; resolves with the socket once the answer has arrived. */
async function requestOnRawSocket(url: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answered!: () => void;
  const answer = new Promise<void>((resolve) => {
    answered = resolve;
  });
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
    if (received.includes('\r\n\r\n') && received.includes('"status"')) answered();
  });
  socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
  await answer;
  const idleSince = performance.now();
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - idleSince)),
  );
  return { socket, closed };
}

describe('idle client connections', () => {
  it('are closed after server.keepAliveTimeoutMs', async () => {
    gateway = await startGateway({ server: { keepAliveTimeoutMs: 1_000 }, providers: [], routes: [] });
    const { closed } = await requestOnRawSocket(gateway.url);
    const idleMs = await closed;
    expect(idleMs).toBeGreaterThanOrEqual(900);
    expect(idleMs).toBeLessThan(5_000);
  });

  it('stay open by default well past Node’s own 5 s, so a load balancer’s idle timeout closes them first', async () => {
    gateway = await startGateway({ providers: [], routes: [] });
    expect(gateway.runtime.context.config.server.keepAliveTimeoutMs).toBe(65_000);
    const { socket, closed } = await requestOnRawSocket(gateway.url);
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('open'), 6_000)),
    ]);
    expect(outcome).toBe('open');
    socket.destroy();
  }, 15_000);
});
