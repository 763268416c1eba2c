import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCheckSchema } from '../../src/config/prober-schema.ts';
import { httpCheck } from '../../src/prober/checks/http.ts';
import type { ResolvedHttpCheck } from '../../src/prober/checks/index.ts';
import { parseConditions } from '../../src/prober/conditions.ts';
import { realDeps } from './helpers.ts';

const servers: (Server | TcpServer)[] = [];
async function serve(server: Server | TcpServer, scheme = 'http'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => {
  for (const server of servers) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    server.unref();
  }
});

function spec(input: Record<string, unknown>): ResolvedHttpCheck {
  const parsed = httpCheckSchema.parse(input);
  const parsedConditions = parsed.conditions.flatMap((c) => {
    const result = parseConditions(c);
    if (!result.ok) throw new Error(result.error);
    return result.conditions;
  });
  return { ...parsed, parsedConditions };
}

const routes: Record<string, RequestListener> = {
  '/ok': (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"status":"ok","items":[{"name":"alpha"}],"version":"1.4.2"}'),
  '/429': (_req, res) => res.writeHead(429).end('slow down'),
  '/500': (_req, res) => res.writeHead(500).end('boom'),
  '/401': (_req, res) => res.writeHead(401).end(),
  '/404': (_req, res) => res.writeHead(404).end(),
  '/204': (_req, res) => res.writeHead(204).end(),
  '/text': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>'),
  '/slow': (_req, res) => {
    setTimeout(() => res.writeHead(200).end('late'), 200);
  },
  '/hang': () => {},
  '/echo': (req, res) =>
    res.writeHead(200).end(JSON.stringify({ method: req.method, probe: req.headers['x-probe'] })),
};

let base: string;
let garbage: string;
beforeAll(async () => {
  base = await serve(createHttpServer((req, res) => (routes[req.url ?? ''] ?? routes['/404'])?.(req, res)));
  // Speaks something that is not HTTP.
  garbage = await serve(createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n').destroySoon()));
});

describe('http check', () => {
  it('passes on an expected status and true conditions, with phase timings', async () => {
    const outcome = await httpCheck(
      spec({
        url: `${base}/ok`,
        conditions: [
          '[STATUS] == 200 && [RESPONSE_TIME] < 5000',
          '[BODY].status == ok',
          '[BODY].items[0].name contains alph',
          '[BODY].version matches ^1\\.4',
          '[HEADER].content-type contains json',
        ],
      }),
      realDeps(),
    );
    expect(outcome).toMatchObject({ success: true, statusCode: 200 });
    expect(Object.keys(outcome.phasesMs ?? {})).toEqual(['resolve', 'connect', 'processing', 'transfer']);
    expect(outcome.certExpiresAt).toBeUndefined();
  });

  it.each([
    ['/429', 'rate_limited', 429],
    ['/500', 'server_error', 500],
    ['/401', 'auth', 401],
    ['/404', 'client_error', 404],
    ['/204', 'assertion_failed', 204],
  ])('classifies %s as %s', async (path, errorType, statusCode) => {
    const outcome = await httpCheck(spec({ url: `${base}${path}` }), realDeps());
    expect(outcome).toMatchObject({ success: false, errorType, statusCode });
  });

  it.each([
    [['2xx'], '/204', true],
    [['200-299'], '/204', true],
    [[[200, 299]], '/204', true],
    ['4xx', '/404', true],
    [[200, 204], '/204', true],
    [[200, 299], '/204', false], // a flat list stays a list of codes
  ])('expectStatus %j on %s passes: %s', async (expectStatus, path, success) => {
    const outcome = await httpCheck(spec({ url: `${base}${path}`, expectStatus }), realDeps());
    expect(outcome.success).toBe(success);
  });

  it('fails a false condition with assertion_failed and a JSON path on HTML with malformed_response', async () => {
    const slow = await httpCheck(
      spec({ url: `${base}/slow`, conditions: ['[RESPONSE_TIME] < 50'] }),
      realDeps(),
    );
    expect(slow).toMatchObject({ success: false, errorType: 'assertion_failed' });
    expect(slow.message).toContain('[RESPONSE_TIME] < 50');
    const html = await httpCheck(
      spec({ url: `${base}/text`, conditions: ['[BODY].status == ok'] }),
      realDeps(),
    );
    expect(html).toMatchObject({ success: false, errorType: 'malformed_response' });
  });

  it('sends method, headers and body', async () => {
    const outcome = await httpCheck(
      spec({
        url: `${base}/echo`,
        method: 'POST',
        headers: { 'x-probe': 'yes' },
        body: '{}',
        conditions: ['[BODY].method == POST', '[BODY].probe == yes'],
      }),
      realDeps(),
    );
    expect(outcome.success).toBe(true);
  });

  it.each([
    ['a server that never answers', () => `${base}/hang`, 'timeout_first_token'],
    ['a refused connection', () => 'http://127.0.0.1:1/', 'connect'],
    ['a peer that does not speak HTTP', () => garbage, 'malformed_response'],
    ['an unknown host', () => 'http://no-such-host.invalid/', 'dns'],
  ])('classifies %s', async (_title, url, errorType) => {
    const outcome = await httpCheck(spec({ url: url(), timeoutMs: 300 }), realDeps());
    expect(outcome).toMatchObject({ success: false, errorType });
  });

  describe('over TLS with a self-signed certificate that expires tomorrow', () => {
    let tlsBase: string;
    let notAfter: number;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'inferwatch-tls-'));
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { stdio: 'ignore' },
      );
      const enddate = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate']).toString();
      notAfter = Date.parse(enddate.replace('notAfter=', '').trim());
      tlsBase = await serve(
        createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
          res.end('{"status":"ok"}'),
        ),
        'https',
      );
    });

    it('reports the earliest expiry, a TLS phase, and fails a 72h expiry condition', async () => {
      const outcome = await httpCheck(
        spec({ url: tlsBase, insecureSkipVerify: true, conditions: ['[CERTIFICATE_EXPIRATION] > 72h'] }),
        realDeps(),
      );
      expect(outcome.certExpiresAt).toBe(notAfter);
      expect(outcome.phasesMs?.tls).toBeGreaterThanOrEqual(0);
      expect(outcome).toMatchObject({ success: false, errorType: 'assertion_failed' });
      const soonEnough = await httpCheck(
        spec({
          url: tlsBase,
          insecureSkipVerify: true,
          conditions: ['[CERTIFICATE_EXPIRATION] > 12h', '[CERTIFICATE_EXPIRATION] < 2d'],
        }),
        realDeps(),
      );
      expect(soonEnough.success).toBe(true);
    });

    it('classifies an untrusted certificate as tls', async () => {
      const outcome = await httpCheck(spec({ url: tlsBase }), realDeps());
      expect(outcome).toMatchObject({ success: false, errorType: 'tls' });
    });
  });
});
