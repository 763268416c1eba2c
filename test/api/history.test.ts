import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';

const dir = mkdtempSync(join(tmpdir(), 'inferwatch-history-'));
let runtime: Runtime | undefined;
let upstreams: SimulatedUpstream[] = [];

interface Series {
  name: string;
  models?: string[];
  uptime24h: number | null;
  total24h: number;
  recent: { total: number; failed: number; latencyMs: number | null }[];
}
interface History {
  providers: Series[];
  probes: (Series & { kind: string })[];
  failovers: { traceId: string; chain: string[]; reason: string; requestedModel: string }[];
}

async function start(storePath: string) {
  const primary = await startSimulatedUpstream();
  const backup = await startSimulatedUpstream();
  upstreams = [primary, backup];
  runtime = createRuntime({
    config: parseConfig({
      store: { path: storePath },
      providers: [
        { name: 'primary', baseURL: primary.baseURL, healthCheck: 'none' },
        { name: 'backup', baseURL: backup.baseURL, healthCheck: 'none' },
      ],
      routes: [{ model: '*', targets: [{ provider: 'primary' }, { provider: 'backup' }] }],
      retry: { maxAttempts: 1, baseDelayMs: 0 },
      prober: {
        intervalSeconds: 3600,
        targets: [{ name: 'primary-chat', model: { provider: 'primary', model: 'sim-small' } }],
      },
      analyzer: { enabled: false },
    }),
    role: 'start',
    only: ['gateway', 'prober', 'api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  const { url } = await runtime.listen({ port: 0 });
  const chat = (model: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    }).then((response) => response.status);
  const history = async () => (await (await fetch(`${url}/api/history`)).json()) as History;
  return { url, primary, backup, chat, history, runtime };
}

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  await Promise.all(upstreams.map((upstream) => upstream.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GET /api/history', () => {
  it('counts upstream failures against a provider, never a model the client made up', async () => {
    const { primary, chat, history } = await start(':memory:');
    expect(await chat('no-such-model')).toBe(404);
    let body = await history();
    expect(body.providers.map((series) => [series.name, series.models, series.total24h])).toEqual([
      ['primary', ['sim-small'], 0],
      ['backup', [], 0],
    ]);
    expect(body.providers[0]?.uptime24h).toBeNull();
    primary.setFaults({ mode: 'server_error' });
    expect(await chat('sim-small')).toBe(200);
    primary.setFaults(undefined);
    expect(await chat('sim-small')).toBe(200);
    body = await history();
    const [first, second] = body.providers;
    expect(first).toMatchObject({ name: 'primary', uptime24h: 0.5, total24h: 2 });
    expect(first?.recent.at(-1)).toMatchObject({ total: 2, failed: 1 });
    expect(first?.recent.at(-1)?.latencyMs).toBeGreaterThan(0);
    expect(second).toMatchObject({ name: 'backup', uptime24h: 1, total24h: 1 });
  });

  it('lists each request that failed over once, with its chain, newest first', async () => {
    const { primary, chat, history } = await start(':memory:');
    primary.setFaults({ mode: 'server_error' });
    await chat('sim-small');
    await chat('sim-small');
    // The second failover event of the same pair and reason is coalesced into the next second's.
    await expect.poll(async () => (await history()).failovers.length, { timeout: 3_000 }).toBe(2);
    const { failovers } = await history();
    expect(failovers[0]).toMatchObject({
      chain: ['primary', 'backup'],
      reason: 'server_error',
      requestedModel: 'sim-small',
    });
    expect(failovers[0]?.traceId).not.toBe(failovers[1]?.traceId);
  });

  it('records probe results and keeps the history in SQLite across a restart', async () => {
    const storePath = join(dir, 'history.db');
    const first = await start(storePath);
    first.primary.setFaults({ mode: 'server_error' });
    const run = await fetch(`${first.url}/api/probes/primary-chat/run`, { method: 'POST' });
    expect(run.status).toBe(200);
    first.primary.setFaults(undefined);
    await fetch(`${first.url}/api/probes/primary-chat/run`, { method: 'POST' });
    expect((await first.history()).probes).toMatchObject([
      { name: 'primary-chat', kind: 'model', uptime24h: 0.5, total24h: 2 },
    ]);
    await first.runtime.stop();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    const second = await start(storePath);
    expect((await second.history()).probes[0]).toMatchObject({ uptime24h: 0.5, total24h: 2 });
  });
});
