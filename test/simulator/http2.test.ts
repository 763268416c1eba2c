import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSimulator,
  type Http2Listening,
  listenHttp2,
  type Simulator,
} from '../../src/simulator/index.ts';

let simulator: Simulator;
let tls: Http2Listening;
let cert: Buffer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-sim-tls-'));
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
    ].concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']),
    { stdio: 'ignore' },
  );
  cert = readFileSync(certFile);
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  tls = await listenHttp2(simulator, { tls: { key: readFileSync(keyFile), cert } });
});
afterAll(() => tls.close());

const chat = JSON.stringify({
  model: 'sim-small',
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

/** One request over HTTP/2: status, ALPN protocol and body. */
function overHttp2(path: string, body?: string) {
  return new Promise<{ status: number; protocol: string | undefined; text: string }>((resolve, reject) => {
    const session = connect(tls.url, { ca: cert });
    session.on('error', reject);
    const stream = session.request({
      ':method': body ? 'POST' : 'GET',
      ':path': path,
      'content-type': 'application/json',
    });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    stream.on('end', () => {
      resolve({ status, protocol: session.alpnProtocol, text });
      session.close();
    });
    stream.end(body);
  });
}

/** One request over HTTP/1.1 to the same TLS port. */
function overHttp1(path: string, method = 'GET', body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpsRequest(
      `${tls.url}${path}`,
      { method, ca: cert, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the simulator over HTTP/2', () => {
  it('streams a chat completion over h2 (ALPN) through the same handler as HTTP/1.1', async () => {
    const h2 = await overHttp2('/p/v1/chat/completions', chat);
    expect(h2).toMatchObject({ status: 200, protocol: 'h2' });
    expect(h2.text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(simulator.lastRequest('p')?.httpVersion).toBe('2.0');
    const h1 = await overHttp1('/p/v1/chat/completions', 'POST', chat);
    expect(h1.status).toBe(200);
    expect(h1.text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(simulator.lastRequest('p')?.httpVersion).toBe('1.1');
  });

  it('answers models and errors over h2, and keeps /_sim control on HTTP/1.1', async () => {
    expect(JSON.parse((await overHttp2('/v1/models')).text).data).toHaveLength(3);
    expect((await overHttp2('/p/v1/chat/completions', '{"model":')).status).toBe(400);
    expect((await overHttp2('/nothing/here')).status).toBe(404);
    const stats = await overHttp1('/_sim/p/stats');
    expect(JSON.parse(stats.text)).toMatchObject({ requests: 3, streams: 2 });
  });
});
