import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, waits for open requests up to `graceMs`, then destroys what is left. */
  close(graceMs?: number): Promise<void>;
}

const SHUTDOWN_SWEEP_MS = 50;

/**
 * The HTTP connections of a server and how many requests each is serving, so shutdown can close every one
 * that is not serving a request. Node's closeIdleConnections() is not enough: it skips a connection that
 * never sent a request (a load balancer's or client's pre-opened one), which then holds shutdown for the
 * whole grace period. WebSocket connections leave the set on upgrade: their owner closes them.
 */
function trackConnections(server: Server) {
  const serving = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    serving.set(socket, 0);
    socket.once('close', () => serving.delete(socket));
  });
  server.on('request', (req, res) => {
    const { socket } = req;
    serving.set(socket, (serving.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const count = serving.get(socket);
      if (count !== undefined) serving.set(socket, count - 1);
    });
  });
  server.on('upgrade', (req) => serving.delete(req.socket));
  return {
    /** Destroys every connection with no request in progress; the others get their turn when done. */
    closeQuiet() {
      for (const [socket, requests] of serving) if (requests <= 0) socket.destroy();
    },
  };
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
  const connections = trackConnections(server);
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
        connections.closeQuiet();
        // Closing only the connections quiet at this moment is not enough: a response that finishes later
        // keeps its keep-alive connection open, and shutdown would wait out the whole grace period after the
        // last stream ended. Sweeping while closing lets each connection go as soon as its response is done.
        const sweep = setInterval(() => connections.closeQuiet(), SHUTDOWN_SWEEP_MS);
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        sweep.unref();
        timer.unref();
        server.once('close', () => {
          clearInterval(sweep);
          clearTimeout(timer);
        });
      });
    },
  };
}
