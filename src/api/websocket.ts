import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EventBus } from '../events/index.ts';
import { matchesAny, presentedToken } from '../http/index.ts';

export interface EventSocketOptions {
  bus: EventBus;
  path?: string;
  apiKeys: readonly string[];
  heartbeatMs?: number;
  /** Replayed to each new client so a page can paint before the next event. */
  replay?: number;
  /** Clients whose send buffer exceeds this are dropped rather than buffering without bound. */
  maxBufferedBytes?: number;
}

export interface EventSocket {
  attach(server: Server): void;
  clients(): number;
  close(): void;
}

/**
 * GET /ws/events: every bus event as one JSON text frame. With API keys configured, the key goes in the
 * `token` query parameter or an Authorization header (browsers cannot set headers on WebSockets).
 */
export function createEventSocket({
  bus,
  path = '/ws/events',
  apiKeys,
  heartbeatMs = 30_000,
  replay = 50,
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
  const unsubscribe = bus.subscribe('*', (event) => {
    if (sockets.size === 0) return;
    const text = JSON.stringify(event);
    for (const socket of sockets) send(socket, text);
  });
  const heartbeat = setInterval(() => bus.publish({ type: 'heartbeat' }), heartbeatMs);
  heartbeat.unref();

  const authorised = (req: IncomingMessage) => {
    if (apiKeys.length === 0) return true;
    const url = new URL(req.url ?? '/', 'http://localhost');
    return matchesAny(url.searchParams.get('token') ?? presentedToken(req.headers), apiKeys);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return;
    if (!authorised(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      for (const event of bus.recent(replay)) send(ws, JSON.stringify(event));
    });
  };

  return {
    attach(server) {
      server.on('upgrade', onUpgrade);
    },
    clients: () => sockets.size,
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const socket of sockets) socket.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
