import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../results-file.ts';
import { root } from './processes.ts';
import { runSoak, type SoakReport } from './soak.ts';

/**
 * node bench/soak/run.ts [--minutes 30] [--rps 200] [--flap-ms 10000] [--no-write]
 * Writes the figures to bench/RESULTS.md between <!-- soak:start --> and <!-- soak:end -->.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rps: { type: 'string', default: '200' },
    'flap-ms': { type: 'string', default: '10000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const report = await runSoak({
  durationMs: Number(values.minutes) * 60_000,
  rps: Number(values.rps),
  flapPeriodMs: Number(values['flap-ms']),
  out: (line) => console.log(line),
});
const { samples: _samples, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
if (!values['no-write']) writeResults(report);
process.exitCode = report.clientErrors === 0 ? 0 : 1;

function writeResults(r: SoakReport) {
  const file = join(root, 'bench/RESULTS.md');
  const section = [
    '## Soak (bench/soak/run.ts)',
    '',
    `Run ${new Date().toISOString().slice(0, 16)}Z: **${(r.durationSeconds / 60).toFixed(1)} minutes** at ${r.rps} RPS (half streamed), open loop, through \`inferwatch start\` (OTLP export to a local sink) in front of \`inferwatch simulate\`; primary flaps (outage / healthy every ${r.flapPeriodMs / 1000} s), backup healthy. Node ${process.versions.node}, ${cpuLine()}.`,
    '',
    '| Figure | Value |',
    '| ------ | ----- |',
    `| Requests sent / answered 200 | ${r.sent} / ${r.ok} |`,
    `| Client-visible errors | ${r.clientErrors} |`,
    `| Injected upstream failures (primary 5xx) | ${r.injectedUpstreamFailures} |`,
    `| Latency p50 / p99 (client, incl. failover and simulated pacing) | ${r.p50Ms.toFixed(0)} ms / ${r.p99Ms.toFixed(0)} ms |`,
    `| RSS start → end (max) | ${r.rssStartMb.toFixed(1)} → ${r.rssEndMb.toFixed(1)} MB (${r.rssMaxMb.toFixed(1)}) |`,
    `| RSS slope, whole run / after warm-up | ${r.rssSlopeMbPerMin.toFixed(2)} / ${r.rssSlopeAfterWarmupMbPerMin.toFixed(2)} MB/min |`,
    `| Open fds start → end (max) | ${r.fdsStart} → ${r.fdsEnd} (${r.fdsMax}) |`,
    `| Open fds after the load stopped and idle sockets closed | ${r.fdsAfterIdle} |`,
    `| Gateway exit on SIGTERM | code ${r.gatewayExit.code} |`,
    '',
    'RSS moves in a sawtooth (the V8 heap grows, then a major GC returns memory), so over a run only a few cycles long the slope depends on where the run ends in a cycle; read it with the samples below. Fds are the keep-alive sockets of the pools (client and upstream) and stay within a band.',
    '',
    'Samples (every 10 s): ' +
      r.samples.map((s) => `${s.atSeconds}s ${s.rssMb.toFixed(0)}MB/${s.fds}fd`).join(', '),
  ].join('\n');
  writeResultsSection('soak', section, file);
  console.log(`wrote ${file}`);
}

function cpuLine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  return `${cores} cores (${model}), shared with other work`;
}
