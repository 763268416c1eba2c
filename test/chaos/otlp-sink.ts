import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../../bench/free-port.ts';

/**
 * An OTLP/HTTP endpoint that accepts and counts exports per signal, and can be stopped (connections
 * refused, open sockets destroyed) and started again on the same port: a Collector outage. The port comes
 * from freePort(), not port 0: a port in the ephemeral range can be taken by an outgoing connection while
 * the sink is down, and the restart would fail with EADDRINUSE.
 */
export async function startStoppableSink(port?: number) {
  const counts = { traces: 0, metrics: 0, logs: 0 };
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const boundPort = port ?? (await freePort());
  const start = async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const signal = req.url?.split('/').pop() as keyof typeof counts | undefined;
        if (signal && signal in counts) counts[signal] += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((done) => server?.listen(boundPort, '127.0.0.1', done));
  };
  await start();
  return {
    url: () => `http://127.0.0.1:${boundPort}`,
    counts: () => ({ ...counts }),
    start,
    async stop() {
      const closing = new Promise<void>((done) => server?.close(() => done()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
