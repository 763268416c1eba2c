import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { contentSecurityPolicy } from '../../src/status-page/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

let runtime: Runtime | undefined;

async function start(config: Record<string, unknown> = {}) {
  runtime = createRuntime({
    config: parseConfig({ store: { path: ':memory:' }, ...config }),
    role: 'start',
    only: ['api', 'statusPage'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  const listening = await runtime.listen({ port: 0 });
  return listening.url;
}

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe('status page server', () => {
  it('serves the page at / under a CSP that allows scripts, styles and connections only from itself', async () => {
    const url = await start();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy');
    expect(csp).toBe(contentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/status/app.js"></script>');
    expect(html).not.toMatch(/<script>|\sstyle="|\son[a-z]+="/);
  });

  it.each([
    ['app.js', /^text\/javascript/],
    ['state.js', /^text\/javascript/],
    ['style.css', /^text\/css/],
  ])('serves /status/%s with its type and a revalidating ETag', async (file, type) => {
    const url = await start();
    const first = await fetch(`${url}/status/${file}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(type);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${url}/status/${file}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('answers unknown assets and path tricks with 404', async () => {
    const url = await start();
    for (const path of ['/status/nope.js', '/status/..%2Fassets.ts', '/status/tsconfig.json']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
  });

  it('passes the configured Grafana and trace links to the page', async () => {
    const url = await start({
      statusPage: {
        grafanaURL: 'http://127.0.0.1:3000/d/inferwatch',
        tracesURL: 'http://127.0.0.1:16686/trace/{traceId}',
      },
    });
    const settings = await (await fetch(`${url}/status/settings.json`)).json();
    expect(settings).toEqual({
      grafanaURL: 'http://127.0.0.1:3000/d/inferwatch',
      tracesURL: 'http://127.0.0.1:16686/trace/{traceId}',
      apiKeyRequired: false,
    });
  });

  it('keeps the shell open but the data behind the API key when keys are configured', async () => {
    const url = await start({ server: { apiKeys: ['secret-key'] }, analyzer: { enabled: false } });
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await fetch(`${url}/status/app.js`)).status).toBe(200);
    expect(await (await fetch(`${url}/status/settings.json`)).json()).toMatchObject({ apiKeyRequired: true });
    expect((await fetch(`${url}/api/incidents`)).status).toBe(401);
    const authorised = await fetch(`${url}/api/incidents`, {
      headers: { authorization: 'Bearer secret-key' },
    });
    expect(authorised.status).toBe(200);
  });

  it('rejects a tracesURL that is not http(s) when the config loads', () => {
    expect(() => parseConfig({ statusPage: { tracesURL: 'javascript:alert(1)' } })).toThrow(
      /statusPage.tracesURL/,
    );
  });

  it('serves nothing at / when statusPage.enabled is false', async () => {
    const url = await start({ statusPage: { enabled: false } });
    expect((await fetch(`${url}/`)).status).toBe(404);
  });
});
