/**
 * What the fleet-wide limit check costs a request: the same gateway, the same limits (requests per window,
 * tokens per minute, daily budgets; none ever reached), counted in the process or in Redis, side by side
 * at a fixed 500 req/s, plus the gateway with no limit at all. Rounds interleave the targets so a busy
 * minute on the shared machine lands on all of them. Then the check alone, without HTTP, at the same rate.
 *
 *   node bench/fleet/limit-latency.ts [--rounds N] [--seconds S]
 *
 * Needs redis-server (scripts/setup.sh) and vegeta (bench/gateway/install-peers.sh). Writes the fleet
 * section of bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RedisConfig, redisSchema } from '../../src/config/redis-schema.ts';
import { createMemoryQuotaStore, createRedisQuotaStore } from '../../src/gateway/quota/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRedisLink } from '../../src/redis/index.ts';
import { createTelemetry } from '../../src/telemetry/index.ts';
import { startRedis } from '../../test/stack/redis.ts';
import { freePort } from '../free-port.ts';
import type { LoadResult } from '../gateway/load.ts';
import { runThenStop, type Started, startProcess } from '../gateway/processes.ts';
import { chatBody, startSimulator } from '../gateway/targets.ts';
import { requireVegeta, runAtRate } from '../gateway/vegeta.ts';
import { writeResultsSection } from '../results-file.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const seconds = Number(values.seconds ?? 5);
const rate = 500;
const work = mkdtempSync(join(tmpdir(), 'inferwatch-bench-fleet-'));
const started: Started[] = [];
const log = (line: string) => console.log(`[bench] ${line}`);

/** Limits every request is checked against and none reaches. */
const limits = [
  'server: { apiKeys: ["sk-bench"] }',
  'rateLimit: { requests: 100000000, windowSeconds: 3600, tokensPerMinute: 1000000000 }',
  'budgets: { daily: { usd: 1000000, tokens: 1000000000000 } }',
];

async function startGateway(name: string, simPort: number, extra: string[]): Promise<Started> {
  const port = await freePort();
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `server: { port: ${port}, apiKeys: ["sk-bench"] }`,
      'analyzer: { enabled: false }',
      `store: { path: "${join(work, `${name}.db`)}" }`,
      'log: { level: warn }',
      'providers:',
      `  - { name: sim-a, baseURL: "http://127.0.0.1:${simPort}/primary/v1" }`,
      'routes:',
      '  - { model: "*", targets: [{ provider: sim-a }] }',
      ...extra.filter((line) => !line.startsWith('server:')),
      '',
    ].join('\n'),
  );
  return startProcess(name, process.execPath, ['src/main.ts', 'gateway', '--config', file], {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/health`,
  });
}

const redisVersion = () =>
  /v=([\d.]+)/.exec(execFileSync('redis-server', ['--version']).toString())?.[1] ?? 'unknown';

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * The check alone, in this process: one client's check (request window, token minute, daily budget)
 * paced at `rate` per second against each store, timed from the call to its answer. No HTTP, no
 * simulator: what the limit check itself adds, and how much of it is Redis.
 */
async function checkAlone(redisURL: string) {
  const limitsFor = {
    requests: 100_000_000,
    windowMs: 3_600_000,
    tokensPerMinute: 1_000_000_000,
    budgets: { day: { usdMicros: 1e12, tokens: 1e12 }, month: { usdMicros: null, tokens: null } },
  };
  const link = createRedisLink({
    config: redisSchema.parse({ url: redisURL, keyPrefix: 'bench:' }) as RedisConfig & { url: string },
    logger: silentLogger,
    instruments: createTelemetry().instruments,
    instanceId: 'bench',
  });
  await link.connect();
  const stores = { 'in the process': createMemoryQuotaStore(), 'on Redis': createRedisQuotaStore(link) };
  const rows: string[] = [];
  for (const [name, store] of Object.entries(stores)) {
    const subject = { limiter: `bench-${name}`, budget: `bench-${name}` };
    const timings: number[] = [];
    const total = rate * seconds;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let index = 0; index < total; index++) {
      const due = started + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      pending.push(
        store.check(subject, limitsFor, { now: Date.now(), spends: true }).then(() => {
          timings.push(performance.now() - sent);
        }),
      );
    }
    await Promise.all(pending);
    timings.sort((a, b) => a - b);
    const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] ?? 0;
    rows.push(
      `| ${name} | ${at(0.5).toFixed(3)} | ${at(0.99).toFixed(3)} | ${at(1).toFixed(3)} | ${timings.length} |`,
    );
    log(`check ${name}: p50 ${at(0.5).toFixed(3)} ms p99 ${at(0.99).toFixed(3)} ms`);
  }
  await link.close();
  return rows;
}

async function main() {
  requireVegeta();
  const redis = await startRedis();
  started.push({ name: 'redis', url: redis.url, child: redis.process().child, stop: () => redis.stop() });
  const alone = await checkAlone(redis.url);
  const sim = await startSimulator();
  started.push(sim);
  const targets = [
    { name: 'no limits', gateway: await startGateway('no-limits', sim.port, []) },
    { name: 'limits in the process', gateway: await startGateway('in-process', sim.port, limits) },
    {
      name: 'limits on Redis',
      gateway: await startGateway('redis', sim.port, [...limits, `redis: { url: "${redis.url}" }`]),
    },
  ];
  started.push(...targets.map((target) => target.gateway));
  const url = (target: (typeof targets)[number]) => `${target.gateway.url}/v1/chat/completions`;

  for (const target of targets) {
    await runAtRate({ url: url(target), body: chatBody, rate: 200, durationSeconds: 3 });
  }
  const results = new Map<string, LoadResult[]>(targets.map((target) => [target.name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      await runAtRate({ url: url(target), body: chatBody, rate: 100, durationSeconds: 1 });
      const result = await runAtRate({ url: url(target), body: chatBody, rate, durationSeconds: seconds });
      results.get(target.name)?.push(result);
      log(
        `${target.name.padEnd(24)} round ${round}/${rounds}: p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms, errors ${result.errors + result.non2xx}/${result.requests}`,
      );
    }
  }

  const baseline = results.get('limits in the process') ?? [];
  const rows = targets.map(({ name }) => {
    const runs = results.get(name) ?? [];
    const added = (pick: (run: LoadResult) => number) =>
      median(runs.map((run, index) => pick(run) - pick(baseline[index] ?? run)));
    const errors = runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0);
    const requests = runs.reduce((sum, run) => sum + run.requests, 0);
    return `| ${name} | ${median(runs.map((run) => run.p50)).toFixed(2)} | ${median(runs.map((run) => run.p99)).toFixed(2)} | ${Math.min(...runs.map((run) => run.p99)).toFixed(2)}–${Math.max(...runs.map((run) => run.p99)).toFixed(2)} | ${added((run) => run.p50).toFixed(2)} | ${added((run) => run.p99).toFixed(2)} | ${errors}/${requests} |`;
  });
  const body = [
    '## Fleet: the cost of the fleet-wide limit check',
    '',
    `Run ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}, **on a machine shared with other work at the time** (other test suites running beside it): read the differences, not the absolutes. One gateway process per row in front of the same simulator (10 ms to the first token), telemetry off; redis-server ${redisVersion()} on loopback. Each request carries an API key checked against a request window, a token minute and a daily budget, none ever reached, and its usage is added after the answer. vegeta offers ${rate} req/s for ${seconds} s, ${rounds} rounds interleaved across the rows; figures are the median round, "vs in-process" is the median of per-round differences from the in-process row. Produced by \`node bench/fleet/limit-latency.ts\`.`,
    '',
    '| gateway | p50 ms | p99 ms | p99 range ms | vs in-process p50 ms | vs in-process p99 ms | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `The check alone (no HTTP), paced at ${rate} checks/s for ${seconds} s in one process, timed from the call to its answer:`,
    '',
    '| store | p50 ms | p99 ms | max ms | checks |',
    '|---|---:|---:|---:|---:|',
    ...alone,
  ].join('\n');
  writeResultsSection('fleet', body);
  log('wrote the fleet section of bench/RESULTS.md');
}

runThenStop(main, started);
