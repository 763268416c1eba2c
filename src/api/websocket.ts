import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Envelope, EventBus } from '../events/index.ts';
import { matchesAny, presentedToken, refuseUpgrade, requestPath } from '../http/index.ts';

export interface EventSocketOptions {
  bus: EventBus;
  path: string;
  apiKeys: readonly string[];
  /** The text frames one bus event becomes on this socket (none: not sent here). */
  frames: (event: Envelope) => readonly string[];
  /** Frames a new client gets first, so a page can paint before the next event. */
  greeting: () => readonly string[];
  /** A last frame for every client when the server shuts down. */
  farewell?: () => string;
  /** Clients whose send buffer exceeds this are dropped rather than buffering without bound. */
  maxBufferedBytes?: number;
}

export interface EventSocket {
  /** The path whose Upgrade requests `attach` takes over. */
  path: string;
  attach(server: Server): void;
  clients(): number;
  close(): void;
}

/**
 * A WebSocket endpoint fed by the bus: each event becomes zero or more JSON text frames. With API keys
 * configured, the key goes in the `token` query parameter or an Authorization header (browsers cannot
 * set headers on WebSockets). Clients send nothing we read; frames from them are bounded and ignored.
 */
export function createEventSocket({
  bus,
  path,
  apiKeys,
  frames,
  greeting,
  farewell,
  maxBufferedBytes = 1024 * 1024,
}: EventSocketOptions): EventSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const sockets = new Set<WebSocket>();
  const send = (socket: WebSocket, text: string) => {
    if (socket.bufferedAmount > maxBufferedBytes) {
      socket.terminate();
      return;
    }
    socket.send(text);
  };
  // The whole fleet's events: with Redis, other replicas' arrive here too, each tagged with its instance.
  const unsubscribe = bus.subscribe(
    '*',
    (event) => {
      if (sockets.size === 0) return;
      for (const text of frames(event)) for (const socket of sockets) send(socket, text);
    },
    { fleet: true },
  );

  const authorised = (req: IncomingMessage) => {
    if (apiKeys.length === 0) return true;
    const url = new URL(req.url ?? '/', 'http://localhost');
    return matchesAny(url.searchParams.get('token') ?? presentedToken(req.headers), apiKeys);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Another path's upgrade is not ours to answer (the server refuses what no listener accepts).
    if (requestPath(req) !== path) return;
    if (!authorised(req)) {
      refuseUpgrade(socket, 401);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      for (const text of greeting()) send(ws, text);
    });
  };

  return {
    path,
    attach(server) {
      server.on('upgrade', onUpgrade);
    },
    clients: () => sockets.size,
    close() {
      unsubscribe();
      const last = farewell?.();
      for (const socket of sockets) {
        if (last) send(socket, last);
        socket.close(1001, 'server shutting down');
      }
      wss.close();
    },
  };
}
