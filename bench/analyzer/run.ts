/**
 * Analyzer benchmark: Alertmanager webhook → notification at a local receiver, LLM excluded (rule-based),
 * SQLite on disk (WAL) as in production. Two phases:
 *   latency    — one group at a time: POST → 202 ack, and POST → notification received (p50/p95/p99);
 *   throughput — many groups of 10 alerts posted with 32 in flight: alerts/s until every notification arrived.
 * Run: node bench/analyzer/run.ts [--groups 500] [--storm 3000]. Appends to bench/RESULTS.md (Analyzer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime } from '../../src/runtime/index.ts';
import { createTelemetry } from '../../src/telemetry/index.ts';
import { writeSection } from './report.ts';

const { values } = parseArgs({
  options: { groups: { type: 'string', default: '500' }, storm: { type: 'string', default: '3000' } },
});
const latencyGroups = Number(values.groups);
const stormGroups = Number(values.storm);
const alertsPerGroup = 10;

// The receiver: resolves the waiter of each group key when its notification lands.
const waiters = new Map<string, (at: number) => void>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { groupKey: string };
    waiters.get(body.groupKey)?.(at);
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverURL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const dir = mkdtempSync(join(tmpdir(), 'inferwatch-bench-analyzer-'));
const runtime = createRuntime({
  config: parseConfig({
    store: { path: join(dir, 'bench.db') },
    analyzer: { notify: [{ type: 'webhook', url: receiverURL }], internalSource: { enabled: false } },
  }),
  role: 'analyzer',
  only: ['analyzer'],
  logger: silentLogger,
  telemetry: createTelemetry(),
});
const { url } = await runtime.listen({ port: 0 });

const group = (key: string) => ({
  version: '4',
  groupKey: key,
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'inferwatch',
  groupLabels: { alertname: 'InferwatchUpstreamServerErrors' },
  commonLabels: {
    alertname: 'InferwatchUpstreamServerErrors',
    inferwatch_provider_name: 'openai',
    severity: 'warning',
  },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: Array.from({ length: alertsPerGroup }, (_, i) => ({
    status: 'firing',
    labels: {
      alertname: 'InferwatchUpstreamServerErrors',
      inferwatch_provider_name: 'openai',
      instance: `gw-${i}`,
    },
    annotations: { summary: 'openai answers gpt-4o-mini with 5xx/overloaded' },
    startsAt: '2026-11-23T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: `${key}-${i}`,
  })),
});

async function send(key: string): Promise<{ ackMs: number; endToEndMs: number }> {
  const delivered = new Promise<number>((resolve) => waiters.set(key, resolve));
  const started = performance.now();
  const response = await fetch(`${url}/api/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(group(key)),
  });
  await response.arrayBuffer();
  const acked = performance.now();
  if (response.status !== 202) throw new Error(`unexpected ${response.status}`);
  const at = await delivered;
  waiters.delete(key);
  return { ackMs: acked - started, endToEndMs: at - started };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const summarize = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
};

// Warm-up (JIT, SQLite pages), not measured.
for (let i = 0; i < 50; i += 1) await send(`warm-${i}`);

const acks: number[] = [];
const ends: number[] = [];
for (let i = 0; i < latencyGroups; i += 1) {
  const { ackMs, endToEndMs } = await send(`latency-${i}`);
  acks.push(ackMs);
  ends.push(endToEndMs);
}

const stormStarted = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (next < stormGroups) await send(`storm-${next++}`);
  }),
);
const stormSeconds = (performance.now() - stormStarted) / 1000;

await runtime.stop();
receiver.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  latencyGroups,
  ack: summarize(acks),
  endToEnd: summarize(ends),
  storm: {
    groups: stormGroups,
    alerts: stormGroups * alertsPerGroup,
    seconds: stormSeconds,
    alertsPerSecond: (stormGroups * alertsPerGroup) / stormSeconds,
    groupsPerSecond: stormGroups / stormSeconds,
  },
};
console.log(JSON.stringify(result, null, 2));
writeSection(result);
