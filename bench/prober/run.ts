/**
 * Prober benchmark: N HTTP targets on loopback at one interval, inferwatch's prober vs Debian's
 * prometheus-blackbox-exporter driven by a scrape loop at the same rate. Each side runs alone, in its own
 * process, measured from /proc: CPU per probe, RSS, and (inferwatch) schedule jitter p99.
 *   node bench/prober/run.ts [--targets 2000] [--interval 15] [--seconds 60] [--no-append]
 * Appends a section to bench/RESULTS.md under "## Prober".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../results-file.ts';
import { runBlackbox } from './blackbox-driver.ts';
import { processUsage } from './stats.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '15' },
    seconds: { type: 'string', default: '60' },
    'no-append': { type: 'boolean', default: false },
  },
});
const targets = Number(values.targets);
const intervalSeconds = Number(values.interval);
const seconds = Number(values.seconds);
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function firstLine(child: ChildProcess): Promise<string> {
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return chunk.toString().trim().split('\n')[0] ?? '';
}

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

const server = start(['bench/prober/targets-server.ts']);
const base = await firstLine(server);
console.log(
  `targets server ${base}; ${targets} targets every ${intervalSeconds} s for ${seconds} s per side`,
);

// --- inferwatch ---
const worker = start(['bench/prober/inferwatch-worker.ts', base, String(targets), String(intervalSeconds)]);
await firstLine(worker); // "started": measure from here, after module loading
const before = processUsage(worker.pid as number);
let peakRss = before.rssBytes;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, processUsage(worker.pid as number).rssBytes);
}, 1_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const after = processUsage(worker.pid as number);
clearInterval(sampler);
worker.kill('SIGTERM');
const stats = JSON.parse(await firstLine(worker)) as Record<string, number>;
const inferwatch = {
  probes: stats.probes ?? 0,
  failures: stats.failures ?? 0,
  cpuMsPerProbe: ((after.cpuSeconds - before.cpuSeconds) * 1000) / (stats.probes || 1),
  cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100,
  rssMb: peakRss / 1_048_576,
  jitterP99Ms: stats.jitterP99Ms,
  durationP99Ms: stats.durationP99Ms,
};
console.log('inferwatch', inferwatch, stats);

// --- blackbox_exporter ---
const blackbox = await runBlackbox({ base, targets, intervalSeconds, seconds, children });
console.log('blackbox_exporter', blackbox);
server.kill('SIGTERM');

const f = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);
const section = `
## Prober

${new Date().toISOString().slice(0, 16)}Z — ${targets} HTTP targets on loopback (one local server), ${intervalSeconds} s interval, ${seconds} s measured per side, ${cpus().length} cores shared with other work (numbers are noisy; compare the ratio). \`node bench/prober/run.ts --targets ${targets} --interval ${intervalSeconds} --seconds ${seconds}\`

| | probes | failed | CPU ms / probe | CPU % of one core | peak RSS MB | schedule jitter p99 ms | probe duration p99 ms |
|---|---|---|---|---|---|---|---|
| inferwatch prober (node ${process.versions.node}) | ${inferwatch.probes} | ${inferwatch.failures} | ${f(inferwatch.cpuMsPerProbe, 3)} | ${f(inferwatch.cpuPercent, 1)} | ${f(inferwatch.rssMb, 0)} (JS heap ${f(stats.heapUsedMb, 0)}) | ${f(inferwatch.jitterP99Ms, 1)} | ${f(inferwatch.durationP99Ms, 1)} |
| blackbox_exporter ${blackbox.version} | ${blackbox.probes} | ${blackbox.failures} | ${f(blackbox.cpuMsPerProbe, 3)} | ${f(blackbox.cpuPercent, 1)} | ${f(blackbox.rssMb, 0)} | n/a (Prometheus schedules; driver's own lateness p99 ${f(blackbox.driverJitterP99Ms, 1)}) | ${f(blackbox.durationP99Ms, 1)} |

Both sides do the same work per probe: a fresh-connection GET with a body check (\`[BODY].status == ok\` / \`fail_if_body_not_matches_regexp\`). inferwatch's figure includes its SQLite history insert, the OTel SDK aggregation of every probe metric, one pino JSON log line and the event bus; blackbox's excludes the scrape loop that drives it (it runs in the benchmark's own process, as Prometheus would).
`;
console.log(section);
if (!values['no-append']) {
  writeResultsSection('prober', section);
}
process.exit(0);
