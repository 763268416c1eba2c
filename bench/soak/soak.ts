import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { startOtlpSink } from '../gateway/otlp-sink.ts';
import { percentile, slope, startOpenLoop } from './load.ts';
import { sampleProcess, startNode } from './processes.ts';

export interface SoakOptions {
  durationMs: number;
  rps: number;
  sampleEveryMs?: number;
  flapPeriodMs?: number;
  out?: (line: string) => void;
}

export interface Sample {
  atSeconds: number;
  rssMb: number;
  fds: number;
  sent: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakReport {
  durationSeconds: number;
  rps: number;
  flapPeriodMs: number;
  sent: number;
  ok: number;
  clientErrors: number;
  errorSamples: string[];
  injectedUpstreamFailures: number;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  /** Least squares over every sample, and over the samples after the warm-up (first 20%, at most 60 s). */
  rssSlopeMbPerMin: number;
  rssSlopeAfterWarmupMbPerMin: number;
  fdsStart: number;
  fdsEnd: number;
  fdsMax: number;
  /**
   * Open fds once the load has stopped and idle keep-alive sockets have closed. fdsEnd and fdsMax follow
   * the peak concurrency (an unbounded pool opens a socket per request in flight), so a leak is told from a
   * busy moment only by what remains after the connections go idle.
   */
  fdsAfterIdle: number;
  p50Ms: number;
  p99Ms: number;
  samples: Sample[];
  gatewayExit: { code: number | null; signal: string | null };
}

/**
 * The soak: `inferwatch start` (gateway, prober, analyzer idle, OTLP export to a local sink) in front of
 * `inferwatch simulate` in its own process, whose primary flaps (outage/healthy every `flapPeriodMs`)
 * while the backup stays healthy. Open-loop load at `rps`, half streamed. Every `sampleEveryMs` the
 * gateway's RSS and open fds are read from /proc.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { durationMs, rps, sampleEveryMs = 10_000, flapPeriodMs = 10_000, out = () => {} } = options;
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-soak-'));
  const simPort = await freePort();
  const gwPort = await freePort();
  const sim = `http://127.0.0.1:${simPort}`;
  const gateway = `http://127.0.0.1:${gwPort}`;
  const sink = await startOtlpSink();
  const config = {
    telemetry: { otlpEndpoint: sink.url, exportIntervalMs: 5_000 },
    store: { path: join(dir, 'soak.db') },
    log: { level: 'warn' },
    providers: [
      { name: 'sim-primary', baseURL: `${sim}/primary/v1`, healthCheck: 'models' },
      { name: 'sim-backup', baseURL: `${sim}/backup/v1`, healthCheck: 'models' },
    ],
    routes: [{ model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
    // A short open time so the breaker keeps trying the flapping primary: more failovers per minute.
    circuitBreaker: { recoverySeconds: 5 },
    prober: { targets: [] },
    analyzer: { notify: [] },
  };
  const file = join(dir, 'soak.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const simulator = await startNode(['simulate', '--port', String(simPort)], {}, `${sim}/_sim`);
  const inferwatch = await startNode(
    ['start', '--config', file],
    { INFERWATCH_PORT: String(gwPort) },
    `${gateway}/health`,
  );
  try {
    const flap = await fetch(`${sim}/_sim/primary/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flapPeriodMs }),
    });
    if (!flap.ok) throw new Error(`could not set the flapping fault: ${await flap.text()}`);
    await fetch(`${sim}/_sim/primary/stats`, { method: 'DELETE' });
    const samples: Sample[] = [];
    const all: number[] = [];
    const first = sampleProcess(inferwatch.pid);
    samples.push({ atSeconds: 0, ...first, sent: 0, errors: 0, p50Ms: 0, p99Ms: 0 });
    const loop = startOpenLoop(gateway, { rps });
    const started = performance.now();
    while (performance.now() - started < durationMs) {
      const wait = Math.min(sampleEveryMs, durationMs - (performance.now() - started));
      await new Promise((done) => setTimeout(done, wait));
      const window = loop.take();
      all.push(...window.latenciesMs);
      const sample: Sample = {
        atSeconds: Math.round((performance.now() - started) / 1000),
        ...sampleProcess(inferwatch.pid),
        sent: window.sent,
        errors: window.errors,
        p50Ms: percentile(window.latenciesMs, 0.5),
        p99Ms: percentile(window.latenciesMs, 0.99),
      };
      samples.push(sample);
      out(
        `t=${sample.atSeconds}s rss=${sample.rssMb.toFixed(1)}MB fds=${sample.fds} sent=${sample.sent} errors=${sample.errors} p50=${sample.p50Ms.toFixed(0)}ms p99=${sample.p99Ms.toFixed(0)}ms`,
      );
    }
    await loop.stop();
    const fdsAfterIdle = await settledFds(inferwatch.pid, first.fds);
    const totals = loop.totals();
    const stats = (await (await fetch(`${sim}/_sim/primary/stats`)).json()) as {
      byStatus?: Record<string, number>;
    };
    const injected = Object.entries(stats.byStatus ?? {})
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
    const warmupSeconds = Math.min(60, (durationMs / 1000) * 0.2);
    const points = (from: number) =>
      samples.filter((s) => s.atSeconds >= from).map((s) => ({ x: s.atSeconds / 60, y: s.rssMb }));
    const last = samples[samples.length - 1] ?? samples[0];
    const gatewayExit = await inferwatch.stop();
    return {
      durationSeconds: Math.round(durationMs / 1000),
      rps,
      flapPeriodMs,
      sent: totals.sent,
      ok: totals.ok,
      clientErrors: totals.errors,
      errorSamples: totals.errorSamples,
      injectedUpstreamFailures: injected,
      rssStartMb: first.rssMb,
      rssEndMb: last?.rssMb ?? first.rssMb,
      rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
      rssSlopeMbPerMin: slope(points(0)),
      rssSlopeAfterWarmupMbPerMin: slope(points(warmupSeconds)),
      fdsStart: first.fds,
      fdsEnd: last?.fds ?? first.fds,
      fdsMax: Math.max(...samples.map((s) => s.fds)),
      fdsAfterIdle,
      p50Ms: percentile(all, 0.5),
      p99Ms: percentile(all, 0.99),
      samples,
      gatewayExit,
    };
  } finally {
    await inferwatch.stop();
    await simulator.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The load generator closes its connections on stop and the upstream pools drop idle sockets after their
 * keep-alive (a few seconds), so the count falls back towards the start unless something leaks. Waits up
 * to 20 s for it to come within a small margin of the start and returns the last count read.
 */
async function settledFds(pid: number, startFds: number): Promise<number> {
  const deadline = performance.now() + 20_000;
  let fds = sampleProcess(pid).fds;
  while (fds > startFds + 20 && performance.now() < deadline) {
    await new Promise((done) => setTimeout(done, 250));
    fds = sampleProcess(pid).fds;
  }
  return fds;
}
