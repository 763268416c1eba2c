import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, waits for open requests up to `graceMs`, then destroys what is left. */
  close(graceMs?: number): Promise<void>;
}

/** The only place that binds a port. Port 0 picks a free one (tests). */
export async function listen(
  handler: RequestListener,
  { host = '127.0.0.1', port = 0, keepAliveTimeoutMs = 5_000 } = {},
): Promise<Listening> {
  const server = createServer(handler);
  // Slowloris bounds: headers must arrive within 10 s, a whole request within 5 min (long streams are responses).
  server.headersTimeout = 10_000;
  server.requestTimeout = 300_000;
  // A client (or load balancer) that reuses an idle connection at the moment the server closes it gets a
  // reset, not an answer; the fewer idle closes on our side, the rarer that race. See server.keepAliveTimeoutMs.
  server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    server,
    close(graceMs = 0) {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.once('close', () => clearTimeout(timer));
      });
    },
  };
}
