import { cpus } from 'node:os';
import { writeResultsSection } from '../results-file.ts';
import type { StreamLoadResult } from './stream-load.ts';

export interface LongScenario {
  id: string;
  title: string;
  /** Requests a second (before --scale). */
  rate: number;
  words: number;
  ttftMs: number;
  tokensPerSecond: number;
  /** How long one stream lasts. */
  seconds: number;
  /** The TLS upstream's certificate (HTTP/2 scenarios; not kept in the report). */
  ca?: Buffer | undefined;
}

export type LongRow = StreamLoadResult & {
  target: string;
  rssBaselineMB?: number;
  rssMB?: number;
  rssPerStreamKB?: number | undefined;
  cpuPercent?: number | undefined;
  loopP50?: number;
  loopP99?: number;
  loopMax?: number;
  /** The harness over the same window: the simulator's and the load generator's CPU, the 1-minute load average. */
  simulatorCpuPercent?: number | undefined;
  loadCpuPercent?: number | undefined;
  loadAverage?: number | undefined;
};

export interface LongReport {
  at: string;
  scale: number;
  windowSeconds: number;
  scenarios: { scenario: LongScenario; rows: LongRow[]; skipped: Record<string, string> }[];
  sinkRequests?: number;
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '—' : value.toFixed(digits));
const signed = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;
const ms = (value: number | undefined) => (value === undefined ? '—' : `${signed(value)} ms`);
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');

function table(rows: LongRow[]): string[] {
  const direct = rows.find((row) => row.target.startsWith('direct'));
  const lines = [
    '| Target | In flight | TTFB p50 | TTFB p99 | Added TTFB p50 | Added TTFB p99 | Added total p50 / p99 | Errors | RSS per stream | Event-loop delay p99 | CPU | Simulator / load generator CPU, load average |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const added = (pick: (r: LongRow) => number) =>
      direct && row !== direct ? pick(row) - pick(direct) : undefined;
    const errors =
      row.errors === 0
        ? '0'
        : `**${row.errors}** (${Object.entries(row.errorKinds)
            .map(([kind, count]) => `${kind}: ${count}`)
            .join(', ')})`;
    lines.push(
      `| ${row.target} | ${row.inFlight} | ${fixed(row.ttfbMs.p50)} ms | ${fixed(row.ttfbMs.p99)} ms | ${ms(added((r) => r.ttfbMs.p50))} | ${ms(added((r) => r.ttfbMs.p99))} | ${ms(added((r) => r.totalMs.p50))} / ${ms(added((r) => r.totalMs.p99))} | ${errors} of ${row.requests} | ${row.rssPerStreamKB === undefined ? '—' : `${fixed(row.rssPerStreamKB)} KB (${fixed(row.rssBaselineMB, 0)} → ${fixed(row.rssMB, 0)} MB)`} | ${row.loopP99 === undefined ? '—' : `${fixed(row.loopP99)} ms (max ${fixed(row.loopMax)})`} | ${row.cpuPercent === undefined ? '—' : `${fixed(row.cpuPercent, 0)} %`} | ${fixed(row.simulatorCpuPercent, 0)} % / ${fixed(row.loadCpuPercent, 0)} %, ${fixed(row.loadAverage, 1)} |`,
    );
  }
  return lines;
}

/** The issue's targets, checked against this run's numbers. */
function verdicts(id: string, rows: LongRow[]): string[] {
  const at = (name: string) => rows.find((row) => row.target === name);
  const direct = at('direct');
  const bare = at('bare Node proxy');
  const ours = at('inferwatch');
  if (!ours) return [];
  const addedP50 = (row: LongRow | undefined) =>
    row && direct ? row.ttfbMs.p50 - direct.ttfbMs.p50 : Number.NaN;
  const addedP99 = (row: LongRow | undefined) =>
    row && direct ? row.ttfbMs.p99 - direct.ttfbMs.p99 : Number.NaN;
  if (id === '300') {
    return [
      `- Added TTFB p50 ≤ 2 ms: ${signed(addedP50(ours))} ms, ${mark(addedP50(ours) <= 2)}.`,
      `- Added TTFB p99 ≤ 2× the bare proxy's (${signed(addedP99(bare))} ms): ${signed(addedP99(ours))} ms, ${mark(addedP99(ours) <= 2 * addedP99(bare))}.`,
    ];
  }
  if (id === '1000') {
    return [
      `- Added TTFB p50 ≤ 2× the bare proxy's (${signed(addedP50(bare))} ms): ${signed(addedP50(ours))} ms, ${mark(addedP50(ours) <= 2 * addedP50(bare))}.`,
    ];
  }
  if (id === '5000') {
    return [
      `- Zero errors: ${ours.errors} of ${ours.requests}, ${mark(ours.errors === 0)}.`,
      `- RSS ≤ 64 KB per in-flight stream: ${fixed(ours.rssPerStreamKB)} KB, ${mark((ours.rssPerStreamKB ?? Number.POSITIVE_INFINITY) <= 64)}.`,
      `- Event-loop delay p99 ≤ 20 ms: ${fixed(ours.loopP99)} ms, ${mark((ours.loopP99 ?? Number.POSITIVE_INFINITY) <= 20)}.`,
    ];
  }
  return [];
}

export function renderLongReport(report: LongReport): string {
  const lines = [
    `## Gateway: long streams${report.scale !== 1 ? ` at ${report.scale} of the rates` : ''}`,
    '',
    `Run ${report.at.slice(0, 16).replace('T', ' ')}Z with \`node bench/gateway/long-streams.ts${report.scale !== 1 ? ` --scale ${report.scale}` : ''}\`` +
      ` on ${cpus().length} cores shared with other work (other builds and test suites ran at the same time), load generator,` +
      ` simulator and proxies on the same machine, one round, ${report.windowSeconds} s measured per target after a ramp of one stream's` +
      ' length at full rate. TTFB is the time to the first body byte (the first SSE event); "added" is the difference from' +
      ' the direct call in the same scenario. RSS per stream: (median RSS in the window − RSS of the fresh process before' +
      ' the load) / streams in flight, so warm-up growth is included. How to read it: bench/gateway/NOTES.md.',
  ];
  for (const { scenario, rows, skipped } of report.scenarios) {
    const rate = Math.round(scenario.rate * report.scale);
    lines.push(
      '',
      `### ${scenario.title}`,
      '',
      `${rate} requests/s, each ${scenario.words} tokens ${Math.round(1000 / scenario.tokensPerSecond)} ms apart after ${scenario.ttftMs} ms to the first.`,
      '',
      ...table(rows),
    );
    for (const [name, reason] of Object.entries(skipped)) lines.push('', `${name}: not measured, ${reason}.`);
    // The issue's targets are for the full rates; a scaled run is read against the bare proxy's row.
    const checks = report.scale === 1 ? verdicts(scenario.id, rows) : [];
    if (checks.length > 0) lines.push('', 'Targets (inferwatch, defaults, telemetry on):', '', ...checks);
  }
  return lines.join('\n');
}

export function writeLongReport(report: LongReport, section = 'long-streams'): void {
  writeResultsSection(section, renderLongReport(report));
}
