import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { context, logs, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  createInferwatch,
  type Inferwatch,
  parseConfig,
  type RunningSimulator,
  startSimulator,
} from '../../src/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { hostTelemetryRegistered } from '../../src/telemetry/index.ts';
import { alertGroup } from '../analyzer/harness.ts';

// The library as another team uses it: their Express app, their routes, inferwatch mounted beside them.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  trace.disable();
  metrics.disable();
  logs.disable();
});

async function listenApp(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.closeIdleConnections();
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function simulator(): Promise<RunningSimulator> {
  const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  cleanups.push(() => sim.close());
  return sim;
}

function embed(
  config: Record<string, unknown>,
  components?: Parameters<typeof createInferwatch>[0]['components'],
) {
  const inferwatch: Inferwatch = createInferwatch({
    config: parseConfig({ store: { path: ':memory:' }, ...config }),
    logger: silentLogger,
    ...(components ? { components } : {}),
  });
  cleanups.push(() => inferwatch.stop());
  return inferwatch;
}

const chat = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }),
  });

const gatewayConfig = (sim: RunningSimulator, extra: Record<string, unknown> = {}) => ({
  providers: [{ name: 'sim', baseURL: sim.baseURL('primary') }],
  routes: [{ model: '*', targets: [{ provider: 'sim' }] }],
  ...extra,
});

describe('createInferwatch: the gateway in a host Express app', () => {
  it("records on the host app's OpenTelemetry SDK and starts none of its own", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const spans = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
    );
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    expect(hostTelemetryRegistered()).toEqual({ tracer: true, meter: true });

    const sim = await simulator();
    // An endpoint nobody listens on: had inferwatch started its own SDK, it would export there.
    const inferwatch = embed(gatewayConfig(sim, { telemetry: { otlpEndpoint: 'http://127.0.0.1:9' } }));
    expect(inferwatch.telemetry).toBe('host');
    const app = express();
    app.use('/llm', inferwatch.router);
    const { server, url } = await listenApp(app);
    await inferwatch.start({ server });

    expect((await chat(`${url}/llm`)).status).toBe(200);
    await vi.waitFor(() =>
      expect(spans.getFinishedSpans().map((span) => span.name)).toContain('chat sim-small'),
    );
    await reader.forceFlush();
    const names = exporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      .map((metric) => metric.descriptor.name);
    expect(names).toEqual(
      expect.arrayContaining(['gen_ai.client.operation.duration', 'inferwatch.build.info']),
    );
  });

  it('starts its own SDK from config.telemetry when the host has none, and shuts it down on stop', async () => {
    const received: string[] = [];
    const sink = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => sink.close(() => resolve())));
    const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

    expect(hostTelemetryRegistered()).toEqual({ tracer: false, meter: false });
    const sim = await simulator();
    const inferwatch = createInferwatch({
      config: parseConfig({
        store: { path: ':memory:' },
        ...gatewayConfig(sim, { telemetry: { otlpEndpoint: endpoint } }),
      }),
      logger: silentLogger,
    });
    expect(inferwatch.telemetry).toBe('otlp');
    const app = express();
    app.use(inferwatch.router);
    const { server, url } = await listenApp(app);
    await inferwatch.start({ server });
    expect((await chat(url)).status).toBe(200);
    await inferwatch.stop();
    expect(received).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
  });

  it('with no SDK anywhere and no endpoint, exports nothing and registers nothing global', async () => {
    const sim = await simulator();
    const inferwatch = embed(gatewayConfig(sim));
    expect(inferwatch.telemetry).toBe('off');
    expect(hostTelemetryRegistered()).toEqual({ tracer: false, meter: false });
  });

  it("leaves the host's own routes alone, even mounted at the root with API keys, and guards its own", async () => {
    const sim = await simulator();
    const inferwatch = embed(
      gatewayConfig(sim, { server: { apiKeys: ['team-key'] }, analyzer: { enabled: false } }),
    );
    const app = express();
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'host' });
    });
    app.use(inferwatch.router);
    app.use((_req, res) => {
      res.status(404).send('host 404');
    });
    const { server, url } = await listenApp(app);
    expect(inferwatch.ready()).toBe(false);
    await inferwatch.start({ server });
    expect(inferwatch.ready()).toBe(true);

    const hello = await fetch(`${url}/hello`);
    expect(await hello.json()).toEqual({ hello: 'host' });
    // inferwatch's headers are for its own answers only.
    expect(hello.headers.get('x-frame-options')).toBeNull();
    expect(await (await fetch(`${url}/elsewhere`)).text()).toBe('host 404');

    const refused = await chat(url);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const served = await chat(url, { authorization: 'Bearer team-key' });
    expect(served.status).toBe(200);
    expect(served.headers.get('x-inferwatch-provider')).toBe('sim');
    // A wrong method on its own path still gets inferwatch's 405, not the host's 404.
    expect(
      (await fetch(`${url}/v1/chat/completions`, { headers: { authorization: 'Bearer team-key' } })).status,
    ).toBe(405);
  });
});

describe("createInferwatch on the host's server: upgrades", () => {
  /** Sends an h2c Upgrade request and reads until the server closes (or 3 s pass). */
  const h2cExchange = (url: string, path: string) =>
    new Promise<{ text: string; closedByServer: boolean }>((resolve) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let text = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ text, closedByServer: false });
      }, 3_000);
      socket.on('connect', () =>
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`),
      );
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ text, closedByServer: true });
      });
    });

  it('/ws/events upgrades; an Upgrade for any other path is answered and closed, never left hanging', async () => {
    const app = express();
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'host' });
    });
    const inferwatch = embed({}, ['api']);
    app.use(inferwatch.router);
    const { server, url } = await listenApp(app);
    await inferwatch.start({ server });

    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/events`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.close();
    for (const path of ['/hello', '/health', '/nowhere']) {
      const exchange = await h2cExchange(url, path);
      expect(exchange.text).toMatch(/^HTTP\/1\.1 400 /);
      expect(exchange.closedByServer).toBe(true);
    }
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'host' });
  });

  it("leaves an unclaimed Upgrade to the host's own upgrade listener", async () => {
    const app = express();
    const inferwatch = embed({}, ['api']);
    app.use(inferwatch.router);
    const { server, url } = await listenApp(app);
    await inferwatch.start({ server });
    server.on('upgrade', (req, socket) => {
      if (req.url === '/host-socket') socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\n\r\n");
    });
    const exchange = await h2cExchange(url, '/host-socket');
    expect(exchange.text).toMatch(/^HTTP\/1\.1 418 /);
  });
});

describe('createInferwatch: the prober and the analyzer under a prefix', () => {
  it('serves /api/probes and the Alertmanager webhook from the mounted router', async () => {
    const app = express();
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'host' });
    });
    const { server, url } = await listenApp(app);
    const inferwatch = embed(
      {
        prober: {
          intervalSeconds: 60,
          targets: [{ name: 'host-hello', http: { url: `${url}/hello`, expectStatus: [200] } }],
        },
        analyzer: { webhookToken: 'hook-token', notify: [] },
      },
      ['prober', 'analyzer'],
    );
    app.use('/ops', inferwatch.router);
    await inferwatch.start({ server, selfURL: `${url}/ops` });

    const probes = (await (await fetch(`${url}/ops/api/probes`)).json()) as { data: { name: string }[] };
    expect(probes.data.map((probe) => probe.name)).toEqual(['host-hello']);
    // The schedule spreads first runs over the interval; run this one now.
    const run = await fetch(`${url}/ops/api/probes/host-hello/run`, { method: 'POST' });
    expect(await run.json()).toMatchObject({ target: 'host-hello', success: true });
    const webhook = await fetch(`${url}/ops/api/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer hook-token' },
      body: JSON.stringify(alertGroup()),
    });
    expect(webhook.status).toBe(202);
  });
});
