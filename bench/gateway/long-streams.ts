/**
 * Long-stream benchmark: production-shaped streaming load (hundreds to thousands of streams in flight, each
 * seconds long) against the simulator directly, through a bare Node pass-through proxy, through inferwatch
 * with its defaults (telemetry on) and through the peers whose streaming works here, side by side in one run
 * on loopback. Then HTTP/1.1 against HTTP/2 from inferwatch to a TLS upstream.
 *
 *   node bench/gateway/long-streams.ts [--only 300,1000,5000,h2|h2-300|h2-1000] [--scale 0.2] [--window N] [--skip-peers]
 *                                      [--section NAME] [--report-only]
 *
 * `--scale` multiplies every rate (a smoke run on a busy machine); `--window` sets the measured seconds.
 * Every target is a fresh process per scenario, so its memory before the load is its baseline. Results go to
 * bench/RESULTS.md between the long-streams markers; raw JSON to .build/bench-long-streams.json.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, setGlobalDispatcher } from 'undici';
import { type LongReport, type LongRow, type LongScenario, writeLongReport } from './long-report.ts';
import {
  type LongTarget,
  makeCertificate,
  readLoopDelay,
  type SimulatorProcess,
  startBare,
  startInferwatch,
  startLiteLLM,
  startLongSimulator,
  startPortkey,
} from './long-targets.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { cpuMs, rssBytes } from './proc-stats.ts';
import { runThenStop, type Started } from './processes.ts';
import { runStreamLoad } from './stream-load.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    scale: { type: 'string' },
    window: { type: 'string' },
    'skip-peers': { type: 'boolean' },
    'report-only': { type: 'boolean' },
    // Which bench/RESULTS.md section (and raw file) the run writes: a scaled run can sit beside the full one.
    section: { type: 'string' },
  },
});
const scale = Number(values.scale ?? 1);
const section = values.section ?? 'long-streams';
const RAW = join('.build', `bench-${section}.json`);
const work = mkdtempSync(join(tmpdir(), 'inferwatch-long-'));
const started: Started[] = [];
const log = (line: string) => console.log(`[long] ${line}`);
/** This process's CPU (user + system) in milliseconds: the load generator's cost. */
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** "Reply with exactly: w1 … wN": the simulator streams one word per chunk. */
const body = (words: number) => ({
  model: 'sim-small',
  stream: true,
  messages: [
    {
      role: 'user',
      content: `Reply with exactly: ${Array.from({ length: words }, (_, index) => `w${index + 1}`).join(' ')}`,
    },
  ],
});

/** The three shapes; `rate × seconds` is the number in flight. */
const scenarios: LongScenario[] = [
  {
    id: '300',
    title: '300 streams in flight, 6 s each',
    rate: 50,
    words: 60,
    ttftMs: 100,
    tokensPerSecond: 10,
    seconds: 6,
  },
  {
    id: '1000',
    title: '1,000 streams in flight, 6 s each',
    rate: 167,
    words: 60,
    ttftMs: 100,
    tokensPerSecond: 10,
    seconds: 6,
  },
  {
    id: '5000',
    title: '5,000 streams in flight, a chunk a second for 10 s',
    rate: 500,
    words: 10,
    ttftMs: 1000,
    tokensPerSecond: 1,
    seconds: 10,
  },
];

async function measure(
  target: LongTarget,
  scenario: LongScenario,
  windowSeconds: number,
  simulatorPid: number | undefined,
): Promise<LongRow> {
  const pid = target.process?.child.pid;
  // The harness's own CPU over the window (the simulator, and this process generating the load): on a
  // shared machine it says how much was left for the proxy.
  const harness = { simulator: 0, load: 0 };
  const baseline = pid ? rssBytes(pid) : 0;
  const rss: number[] = [];
  let cpuStart = 0;
  let cpuEnd = 0;
  let opened = 0;
  let closed = 0;
  const result = await runStreamLoad({
    url: target.url,
    headers: target.headers,
    body: body(scenario.words),
    rate: scenario.rate * scale,
    rampSeconds: scenario.seconds + 2,
    windowSeconds,
    timeoutMs: scenario.seconds * 1000 * 4 + 30_000,
    ca: scenario.ca,
    onSecond: () => {
      if (pid) rss.push(rssBytes(pid));
    },
    onWindow: (edge) => {
      if (edge === 'open') {
        opened = performance.now();
        if (simulatorPid) harness.simulator = -cpuMs(simulatorPid);
        harness.load = -ownCpuMs();
        if (pid) cpuStart = cpuMs(pid);
        if (target.loopFile) target.process?.child.kill('SIGUSR2');
      } else {
        closed = performance.now();
        if (simulatorPid) harness.simulator += cpuMs(simulatorPid);
        harness.load += ownCpuMs();
        if (pid) cpuEnd = cpuMs(pid);
        if (target.loopFile) target.process?.child.kill('SIGUSR2');
      }
    },
  });
  const loop = await readLoopDelay(target);
  const medianRss = [...rss].sort((a, b) => a - b)[Math.floor(rss.length / 2)] ?? 0;
  const row: LongRow = {
    target: target.name,
    ...result,
    ...(pid
      ? {
          rssBaselineMB: baseline / 1e6,
          rssMB: medianRss / 1e6,
          rssPerStreamKB: result.inFlight > 0 ? (medianRss - baseline) / 1024 / result.inFlight : undefined,
          cpuPercent: closed > opened ? ((cpuEnd - cpuStart) / (closed - opened)) * 100 : undefined,
        }
      : {}),
    ...(loop ? { loopP50: loop.p50, loopP99: loop.p99, loopMax: loop.max } : {}),
    ...(closed > opened
      ? {
          simulatorCpuPercent: simulatorPid ? (harness.simulator / (closed - opened)) * 100 : undefined,
          loadCpuPercent: (harness.load / (closed - opened)) * 100,
        }
      : {}),
    loadAverage: loadavg()[0],
  };
  log(
    `${scenario.id} ${target.name.padEnd(28)} in flight ${row.inFlight}, TTFB p50 ${row.ttfbMs.p50} p99 ${row.ttfbMs.p99} ms, errors ${row.errors}/${row.requests}` +
      (row.rssPerStreamKB !== undefined ? `, ${row.rssPerStreamKB.toFixed(1)} KB/stream` : '') +
      (row.loopP99 !== undefined ? `, loop p99 ${row.loopP99} ms` : '') +
      (row.cpuPercent !== undefined ? `, CPU ${row.cpuPercent.toFixed(0)} %` : '') +
      `, simulator ${row.simulatorCpuPercent?.toFixed(0)} %, load generator ${row.loadCpuPercent?.toFixed(0)} %, load average ${row.loadAverage?.toFixed(1)}`,
  );
  return row;
}

type Starter = () => Promise<LongTarget | string>;

/** Each target as a fresh process, measured, then stopped: one scenario, side by side. */
async function runScenario(
  scenario: LongScenario,
  simulator: SimulatorProcess,
  starters: [string, Starter][],
  windowSeconds: number,
): Promise<{ rows: LongRow[]; skipped: Record<string, string> }> {
  await simulator.timing(scenario.ttftMs, scenario.tokensPerSecond);
  const rows: LongRow[] = [];
  const skipped: Record<string, string> = {};
  for (const [name, start] of starters) {
    const target = await start();
    if (typeof target === 'string') {
      skipped[name] = target;
      log(`${name}: skipped, ${target}`);
      continue;
    }
    if (target.process) started.push(target.process);
    try {
      rows.push(await measure(target, scenario, windowSeconds, simulator.child.pid));
    } finally {
      await target.process?.stop();
    }
  }
  return { rows, skipped };
}

async function main() {
  const only = new Set((values.only ?? '300,1000,5000,h2').split(','));
  const windowSeconds = Number(values.window ?? 30);
  const sink = await startOtlpSink();
  const simulator = await startLongSimulator();
  started.push(simulator);
  const upstream = `${simulator.base}/v1`;
  const direct: Starter = async () => ({ name: 'direct', url: `${upstream}/chat/completions` });
  const starters: [string, Starter][] = [
    ['direct', direct],
    ['bare Node proxy', () => startBare(work, upstream)],
    [
      'inferwatch',
      () => startInferwatch(work, 'inferwatch', `${simulator.base}/primary/v1`, { otlpEndpoint: sink.url }),
    ],
  ];
  if (!values['skip-peers']) {
    starters.push(['Portkey gateway', () => startPortkey(work, upstream)]);
    starters.push(['LiteLLM proxy', () => startLiteLLM(work, upstream)]);
  }
  const report: LongReport = { at: new Date().toISOString(), scale, windowSeconds, scenarios: [] };
  for (const scenario of scenarios) {
    if (!only.has(scenario.id)) continue;
    const { rows, skipped } = await runScenario(scenario, simulator, starters, windowSeconds);
    report.scenarios.push({ scenario, rows, skipped });
    writeFileSync(RAW, JSON.stringify(report, null, 2));
  }
  // `h2` runs the HTTP/1.1-vs-HTTP/2 comparison for both shapes, `h2-300` for one.
  const h2Shapes = scenarios.filter(
    (scenario) => scenario.id !== '5000' && (only.has('h2') || only.has(`h2-${scenario.id}`)),
  );
  if (h2Shapes.length > 0) {
    const tls = makeCertificate(work);
    // The runner's own fetch (readiness, the simulator's control) trusts the self-signed certificate.
    setGlobalDispatcher(new Agent({ connect: { ca: readFileSync(tls.cert) } }));
    const secure = await startLongSimulator(tls);
    started.push(secure);
    const ca = readFileSync(tls.cert);
    const h2Starters: [string, Starter][] = [
      [
        'direct (TLS, HTTP/1.1)',
        async () => ({ name: 'direct (TLS, HTTP/1.1)', url: `${secure.base}/v1/chat/completions` }),
      ],
      [
        'inferwatch, HTTP/1.1 upstream',
        () =>
          startInferwatch(work, 'inferwatch, HTTP/1.1 upstream', `${secure.base}/primary/v1`, {
            otlpEndpoint: sink.url,
            ca: tls.cert,
          }),
      ],
      [
        'inferwatch, HTTP/2 upstream',
        () =>
          startInferwatch(work, 'inferwatch, HTTP/2 upstream', `${secure.base}/primary/v1`, {
            otlpEndpoint: sink.url,
            ca: tls.cert,
            http2: true,
          }),
      ],
    ];
    for (const base of h2Shapes) {
      const scenario = {
        ...base,
        id: `h2-${base.id}`,
        title: `${base.title}, TLS upstream: HTTP/1.1 vs HTTP/2`,
        ca,
      };
      const { rows, skipped } = await runScenario(scenario, secure, h2Starters, windowSeconds);
      report.scenarios.push({ scenario: { ...scenario, ca: undefined }, rows, skipped });
      writeFileSync(RAW, JSON.stringify(report, null, 2));
    }
  }
  report.sinkRequests = sink.requests();
  writeFileSync(RAW, JSON.stringify(report, null, 2));
  writeLongReport(report, section);
  await sink.close();
}

const run = values['report-only']
  ? async () => writeLongReport(JSON.parse(readFileSync(RAW, 'utf8')), section)
  : main;
runThenStop(run, started);
