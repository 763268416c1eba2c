import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { notFound } from '../http/index.ts';
import { asHttp1, sendError } from './chat.ts';
import type { Simulator } from './simulator.ts';

export interface Http2Options {
  host?: string;
  port?: number;
  /** PEM key and certificate: TLS with ALPN offering h2 and http/1.1. Without them: h2c only. */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
}

export interface Http2Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The simulator over HTTP/2, for clients that speak it (a gateway provider with `http2: true`, the
 * benchmark's HTTP/2 scenario). With TLS the same port also answers HTTP/1.1 (ALPN), through the same chat
 * handler, so both protocols can be compared against one upstream; `/_sim` control is on HTTP/1.1 there.
 * Without TLS it speaks h2c with prior knowledge only.
 */
export async function listenHttp2(simulator: Simulator, options: Http2Options = {}): Promise<Http2Listening> {
  const onRequest = (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const pair = asHttp1(req, res);
    if (simulator.handle(pair.req, pair.res)) return;
    // With allowHTTP1, an HTTP/1.1 request arrives as node:http's own pair, which express can serve.
    if (req.httpVersionMajor === 1) simulator.app(pair.req, pair.res);
    else sendError(pair.res, notFound('Not found.'));
  };
  const server: Http2Server | Http2SecureServer = options.tls
    ? createSecureServer({ ...options.tls, allowHTTP1: true }, onRequest)
    : createServer(onRequest);
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        simulator.close();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
