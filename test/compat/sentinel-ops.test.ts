import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { repoRoot } from '../stack/binaries.ts';
import { isRunning, type StartedProcess, startProcess } from '../stack/process.ts';
import { waitForHttp } from '../stack/wait.ts';

/**
 * A Sentinel-Ops user switching over: `inferwatch start` with no config file and Sentinel-Ops' `.env`
 * (its variable names, Ollama's address written without /v1), then its README's curl examples and its
 * WebSocket client, replayed as documented against fake OpenAI and Ollama upstreams on loopback.
 */
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'inferwatch-sentinel-'));
let openai: SimulatedUpstream;
let ollama: SimulatedUpstream;
let inferwatch: StartedProcess;
let base = '';

/** The seed's commands, verbatim but for the host they point at. */
const seedCurl = {
  chat: `curl -X POST http://localhost:8000/api/chat \\
  -H "Content-Type: application/json" \\
  -d '{
    "messages": [
      {"role": "user", "content": "Explain circuit breakers in distributed systems."}
    ],
    "max_tokens": 512,
    "temperature": 0.7
  }'`,
  providersStatus: 'curl http://localhost:8000/api/providers/status',
  incidents: 'curl "http://localhost:8000/api/incidents?limit=20&type=failover_triggered"',
  metrics: 'curl http://localhost:8000/api/metrics',
  probe: 'curl -X POST http://localhost:8000/api/providers/openai/probe',
};

async function replay(command: string): Promise<unknown> {
  const { stdout } = await exec('sh', ['-c', command.replaceAll('http://localhost:8000', base)]);
  return JSON.parse(stdout);
}

/** The seed's WebSocket client, with its console.log collecting into an array. */
function seedClient(url: string) {
  const received: { event_type: string; payload: Record<string, unknown> }[] = [];
  const ws = new WebSocket(url);
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data as string);
    received.push({ event_type: data.event_type, payload: data.payload });
  };
  const closed = new Promise<number>((resolve) => {
    ws.onclose = (event) => resolve(event.code);
  });
  return { ws, received, closed };
}

const exactKeys = (value: unknown) => Object.keys(value as object).sort();

beforeAll(async () => {
  openai = await startSimulatedUpstream({ defaultReply: 'Hello from openai', models: ['gpt-4o-mini'] });
  ollama = await startSimulatedUpstream({ defaultReply: 'Hello from ollama', models: ['llama3.2'] });
  const port = await freePort();
  // Sentinel-Ops' .env points REDIS_URL at a local Redis; here it names a port nothing listens on.
  const redisPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  inferwatch = startProcess({
    name: 'inferwatch-sentinel',
    command: process.execPath,
    args: ['src/main.ts', 'start'],
    cwd: repoRoot,
    logFile: join(dir, 'inferwatch.log'),
    env: {
      INFERWATCH_PORT: String(port),
      INFERWATCH_STORE_PATH: join(dir, 'inferwatch.db'),
      // Sentinel-Ops' .env (OPENAI_BASE_URL is ours: it keeps the test off the network).
      OPENAI_API_KEY: 'sk-sentinel-test',
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL: 'gpt-4o-mini',
      OLLAMA_BASE_URL: ollama.url,
      OLLAMA_MODEL: 'llama3.2',
      REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
      CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '30',
      HEALTH_CHECK_INTERVAL_SECONDS: '15',
      RATE_LIMIT_REQUESTS: '100',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      APP_ENV: 'development',
      INFERWATCH_API_KEYS: '',
      INFERWATCH_OTLP_ENDPOINT: '',
    },
  });
  await waitForHttp(`${base}/health`, { alive: () => isRunning(inferwatch), timeoutMs: 30_000 }).catch(
    (error: Error) => {
      throw new Error(`inferwatch did not start: ${error.message}\n${inferwatch.tail()}`);
    },
  );
});

afterAll(async () => {
  await inferwatch?.stop(10_000);
  await openai?.close();
  await ollama?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Sentinel-Ops, as its README documents it', () => {
  let client: ReturnType<typeof seedClient>;

  it('WS /ws/system-events greets the seed client with a system message', async () => {
    client = seedClient(`${base.replace('http', 'ws')}/ws/system-events`);
    await expect.poll(() => client.received[0]?.event_type).toBe('system');
    expect(client.received[0]?.payload).toMatchObject({ status: 'connected' });
  });

  it('POST /api/chat answers from OpenAI with every documented field', async () => {
    const body = (await replay(seedCurl.chat)) as Record<string, unknown>;
    expect(exactKeys(body)).toEqual(
      [
        'trace_id',
        'provider_used',
        'model',
        'response_text',
        'latency_ms',
        'status',
        'failover_occurred',
        'failover_chain',
        'tokens_used',
      ].sort(),
    );
    expect(body).toMatchObject({
      provider_used: 'openai',
      model: 'gpt-4o-mini',
      response_text: 'Hello from openai',
      status: 'success',
      failover_occurred: false,
      failover_chain: [],
      // The upstream's own count: the prompt's words and the reply's three.
      tokens_used: 9,
    });
    expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.latency_ms).toBeGreaterThan(0);
    // The request's own settings reach the provider, and OPENAI_MODEL is the model asked for.
    expect(openai.last?.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 512, temperature: 0.7 });
  });

  it('fails over to Ollama when OpenAI is down, and keeps doing so while its breaker is open', async () => {
    openai.setFaults({ mode: 'server_error' });
    const failed = (await replay(seedCurl.chat)) as Record<string, unknown>;
    expect(failed).toMatchObject({
      provider_used: 'ollama',
      model: 'llama3.2',
      response_text: 'Hello from ollama',
      status: 'success',
      failover_occurred: true,
      failover_chain: ['openai'],
    });
    // Three retries of one request reached CIRCUIT_BREAKER_FAILURE_THRESHOLD: the next one skips OpenAI.
    const calls = openai.stats.requests;
    const skipped = (await replay(seedCurl.chat)) as Record<string, unknown>;
    expect(skipped).toMatchObject({
      provider_used: 'ollama',
      model: 'llama3.2',
      failover_occurred: true,
      failover_chain: ['openai'],
    });
    expect(openai.stats.requests).toBe(calls);
    expect(ollama.last?.body).toMatchObject({ model: 'llama3.2', max_tokens: 512, temperature: 0.7 });
  });

  it('GET /api/providers/status has each provider in the documented shape', async () => {
    const body = (await replay(seedCurl.providersStatus)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(body)).toEqual(['openai', 'ollama']);
    for (const entry of Object.values(body))
      expect(exactKeys(entry)).toEqual(['circuit_breaker', 'latency_ms', 'status', 'success_rate_pct']);
    expect(body.openai).toMatchObject({ status: 'down', circuit_breaker: { state: 'open' } });
    expect(body.ollama).toMatchObject({
      status: 'healthy',
      success_rate_pct: 100,
      circuit_breaker: { state: 'closed' },
    });
    expect(body.ollama?.latency_ms).toBeGreaterThan(0);
  });

  it('GET /api/incidents?type=failover_triggered lists the failover', async () => {
    const body = (await replay(seedCurl.incidents)) as {
      data: { kind: string; detail: Record<string, unknown> }[];
    };
    expect(body.data.length).toBeGreaterThan(0);
    for (const incident of body.data) {
      expect(incident.kind).toBe('failover');
      expect(incident.detail).toMatchObject({ from: 'openai', to: 'ollama' });
    }
  });

  it('GET /api/metrics carries the documented totals', async () => {
    const body = (await replay(seedCurl.metrics)) as Record<string, unknown>;
    expect(body).toMatchObject({
      total_requests: 3,
      total_successes: 3,
      total_failures: 0,
      total_failovers: 2,
      active_provider: 'ollama',
    });
    expect(body.avg_latency_ms).toBeGreaterThan(0);
    expect(body.uptime_seconds).toBeGreaterThan(0);
  });

  it('POST /api/providers/openai/probe runs the health check now', async () => {
    const body = (await replay(seedCurl.probe)) as { provider: string; results: unknown[] };
    expect(body.provider).toBe('openai');
    expect(body.results.length).toBeGreaterThan(0);
  });

  it('the seed client saw provider_status, incident and metrics messages with their payloads', async () => {
    await expect
      .poll(() => new Set(client.received.map((message) => message.event_type)), { timeout: 15_000 })
      .toEqual(new Set(['system', 'provider_status', 'incident', 'metrics']));
    const opened = client.received.find(
      (message) => message.event_type === 'provider_status' && message.payload.previous_state === 'closed',
    );
    expect(opened?.payload).toMatchObject({
      provider: 'openai',
      status: 'down',
      circuit_breaker: { state: 'open' },
    });
    const incidentTypes = client.received
      .filter((message) => message.event_type === 'incident')
      .map((message) => message.payload.incident_type);
    expect(incidentTypes).toContain('failover_triggered');
    expect(incidentTypes).toContain('outage');
    const metrics = client.received.find((message) => message.event_type === 'metrics');
    expect(exactKeys(metrics?.payload)).toEqual(
      [
        'total_requests',
        'total_successes',
        'total_failures',
        'total_failovers',
        'avg_latency_ms',
        'active_provider',
        'uptime_seconds',
        'timestamp',
        // Which replica sent it (one socket carries the whole fleet when Redis is shared).
        'instance',
      ].sort(),
    );
    const periodic = client.received.filter(
      (message) => message.event_type === 'provider_status' && 'latency_ms' in message.payload,
    );
    expect(periodic.map((message) => message.payload.provider)).toEqual(
      expect.arrayContaining(['openai', 'ollama']),
    );
  });

  it('says goodbye with a system message when inferwatch shuts down', async () => {
    await inferwatch.stop(10_000);
    expect(await client.closed).toBe(1001);
    expect(client.received.at(-1)).toMatchObject({
      event_type: 'system',
      payload: { status: 'shutting_down' },
    });
    // REDIS_URL was read and used: with no Redis there, the process ran on its own state and said so.
    expect(readFileSync(inferwatch.logFile, 'utf8')).toContain(
      'redis not reachable at start: running on per-replica state until it is',
    );
  });
});
