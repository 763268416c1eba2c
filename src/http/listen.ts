import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Listening {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, waits for open requests up to `graceMs`, then destroys what is left. */
  close(graceMs?: number): Promise<void>;
}

const SHUTDOWN_SWEEP_MS = 50;

/** Answers an upgrade attempt with a bare status and closes the socket once the answer is written. */
export function refuseUpgrade(socket: Duplex, status: 400 | 401 | 404): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' }[status];
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
    socket.destroy(),
  );
}

/**
 * For a server someone else created (inferwatch mounted in a host app): attaching an 'upgrade' listener
 * turns Node's default on, so every Upgrade request goes to the 'upgrade' event instead of being served.
 * While all the listeners are ours (`own` of them, this one included), an Upgrade for a path none of them
 * claims would be left hanging; it is refused and closed instead. Once the host listens too, it is the
 * host's to answer.
 */
export function refuseUnclaimedUpgrades(
  server: Server,
  claims: (req: IncomingMessage) => boolean,
  own: number,
): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!claims(req) && server.listenerCount('upgrade') <= own) refuseUpgrade(socket, 400);
  });
}

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

/**
 * The request's path without its query, parsed the same way wherever an upgrade is routed; '' for a target
 * the URL parser rejects (`//[`), which must not throw inside the server's upgrade handling.
 */
export function requestPath(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

export interface ListenOptions {
  host?: string;
  port?: number;
  keepAliveTimeoutMs?: number;
  /**
   * Which Upgrade requests some `'upgrade'` listener will take over (the event WebSocket). Every other one
   * is served as an ordinary request, as if no upgrade had been asked for: left to the `'upgrade'` event,
   * a request nobody answers (an h2c probe, a scanner) would hold its socket open for good.
   */
  acceptsUpgrade?: (req: IncomingMessage) => boolean;
}

/** The only place that binds a port. Port 0 picks a free one (tests). */
export async function listen(
  handler: RequestListener,
  {
    host = '127.0.0.1',
    port = 0,
    keepAliveTimeoutMs = 5_000,
    acceptsUpgrade = () => false,
  }: ListenOptions = {},
): Promise<Listening> {
  const server = createServer({ shouldUpgradeCallback: acceptsUpgrade }, handler);
  // Node releases before 24.9 ignore shouldUpgradeCallback and hand every Upgrade request to the 'upgrade'
  // event: there, one no listener takes over is refused and its socket closed rather than left hanging.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!acceptsUpgrade(req)) refuseUpgrade(socket, 400);
  });
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
