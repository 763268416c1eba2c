import { cpus } from 'node:os';
import { writeResultsSection } from '../results-file.ts';
import type { LoadResult } from './load.ts';

/** One target in one scenario; fixed-rate scenarios also keep every round, which summarize() folds. */
export type Measured = LoadResult & { rounds?: LoadResult[] };

interface Report {
  rows: Record<string, Record<string, Measured>>;
  failover: { before: LoadResult; during: LoadResult; after: LoadResult };
  seconds: number;
  rounds?: number;
  fixedRate: number;
  sinkRequests: number;
  /** When the load ran (ISO); a --report-only re-render keeps it. */
  at?: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const roundsOf = (measured: Measured) => measured.rounds ?? [measured];

/**
 * A fixed-rate row folded over its rounds: median p50/p99, the p99 spread, totals, and the added latency
 * as the median of per-round differences from the direct call measured in the same round.
 */
export function summarize(measured: Measured, direct: Measured | undefined) {
  const rounds = roundsOf(measured);
  const base = direct ? roundsOf(direct) : undefined;
  const added = (pick: (result: LoadResult) => number) =>
    base ? median(rounds.map((result, index) => pick(result) - pick(base[index] ?? base[0]!))) : undefined;
  const p99s = rounds.map((result) => result.p99);
  return {
    p50: median(rounds.map((result) => result.p50)),
    p99: median(p99s),
    p99Low: Math.min(...p99s),
    p99High: Math.max(...p99s),
    addedP50: added((result) => result.p50),
    addedP99: added((result) => result.p99),
    requests: rounds.reduce((sum, result) => sum + result.requests, 0),
    failed: rounds.reduce((sum, result) => sum + result.errors + result.non2xx, 0),
    rounds: rounds.length,
  };
}

/** The gateway's performance targets, each checked against this run's numbers (not hand-written). */
function verdicts(rows: Report['rows'], failover: Report['failover']): string[] {
  const at = (target: string, scenario: string) => rows[target]?.[scenario];
  const json = `json @500/s`;
  const ours = at('inferwatch', json);
  const direct = at('direct', json);
  const bareMax = at('bare Node proxy', 'json max');
  const oursMax = at('inferwatch', 'json max');
  const oursStreamMax = at('inferwatch', 'stream max');
  const bareStreamMax = at('bare Node proxy', 'stream max');
  if (!ours || !direct || !bareMax || !oursMax || !oursStreamMax || !bareStreamMax) return [];
  const mark = (ok: boolean) => (ok ? 'met' : '**not met**');
  const summary = summarize(ours, direct);
  const p50 = summary.addedP50 ?? Number.NaN;
  const p99 = summary.addedP99 ?? Number.NaN;
  const jsonShare = oursMax.rps / bareMax.rps;
  const streamShare = oursStreamMax.rps / bareStreamMax.rps;
  const peers = ['Portkey gateway', 'LiteLLM proxy'].filter((peer) => at(peer, 'json max'));
  const ahead = peers.every((peer) => (at(peer, 'json max')?.rps ?? 0) < oursMax.rps);
  const failoverErrors =
    failover.during.errors + failover.during.non2xx + failover.after.errors + failover.after.non2xx;
  return [
    '### Against the targets',
    '',
    `- Added latency at 500 req/s (JSON, median of ${summary.rounds} rounds): p50 ${signed(p50)} ms (target ≤ 1 ms: ${mark(p50 <= 1)}), p99 ${signed(p99)} ms (target ≤ 5 ms: ${mark(p99 <= 5)}).`,
    `- Throughput vs the bare proxy: JSON ${(jsonShare * 100).toFixed(0)} %, streaming ${(streamShare * 100).toFixed(0)} % (target ≥ 70 %: ${mark(jsonShare >= 0.7 && streamShare >= 0.7)}).`,
    peers.length > 0
      ? `- Max JSON throughput ahead of ${peers.join(' and ')}: ${mark(ahead)}.`
      : '- Peers not measured in this run.',
    `- Client-visible errors after the primary was knocked out, backup healthy: ${failoverErrors} (target 0: ${mark(failoverErrors === 0)}).`,
  ];
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)}`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${ms(value)}`;

/** Renders the gateway section and splices it between its markers, leaving other sections alone. */
export function writeResults({
  rows,
  failover,
  seconds,
  rounds = 1,
  fixedRate,
  sinkRequests,
  at = new Date().toISOString(),
}: Report): void {
  const direct = rows.direct;
  const bare = rows['bare Node proxy'];
  const lines: string[] = [
    '## Gateway',
    '',
    `Run ${at.slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}. `,
    `Every target is a separate process on loopback in front of the same simulator process (10 ms to the first token, 12 tokens at 1,000 tokens/s), all sharing the machine with the load generator. `,
    `Fixed-rate scenarios: vegeta offers ${fixedRate} req/s open-loop for ${seconds} s, ${rounds} round(s) interleaved across the targets; figures are the median round, "added" is the median of per-round differences from the direct call in the same round, and the p99 range shows the spread across rounds. `,
    `"max" scenarios: autocannon, 64 connections flat out for ${seconds} s. inferwatch runs with telemetry ON `,
    `(OTLP/HTTP to a local sink that received ${sinkRequests} exports). Produced by \`node bench/gateway/run.ts\`; how to read it: bench/gateway/NOTES.md.`,
    '',
  ];
  const scenarios = Object.keys(direct ?? {});
  for (const scenario of scenarios) {
    const maxRun = scenario.endsWith('max');
    lines.push(`### ${scenario}`, '');
    lines.push(
      maxRun
        ? '| target | req/s | vs bare proxy | p50 ms | p99 ms | errors |'
        : '| target | p50 ms | p99 ms | p99 range ms | added p50 ms | added p99 ms | errors |',
    );
    lines.push(maxRun ? '|---|---:|---:|---:|---:|---:|' : '|---|---:|---:|---:|---:|---:|---:|');
    for (const [target, results] of Object.entries(rows)) {
      const result = results[scenario];
      if (!result) continue;
      const errors = `${result.errors + result.non2xx}/${result.requests}`;
      if (maxRun) {
        const ratio = bare?.[scenario] ? `${((result.rps / bare[scenario].rps) * 100).toFixed(0)} %` : '';
        lines.push(
          `| ${target} | ${Math.round(result.rps)} | ${ratio} | ${ms(result.p50)} | ${ms(result.p99)} | ${errors} |`,
        );
      } else {
        const row = summarize(result, direct?.[scenario]);
        const show = (value: number | undefined) => (value === undefined ? '' : signed(value));
        lines.push(
          `| ${target} | ${ms(row.p50)} | ${ms(row.p99)} | ${ms(row.p99Low)}–${ms(row.p99High)} | ${show(row.addedP50)} | ${show(row.addedP99)} | ${row.failed}/${row.requests} |`,
        );
      }
    }
    lines.push('');
  }
  lines.push(...verdicts(rows, failover), '');
  const { before, during, after } = failover;
  lines.push(
    '### Failover: primary knocked out mid-load (200 req/s through inferwatch)',
    '',
    '| phase | p50 ms | p99 ms | client-visible errors |',
    '|---|---:|---:|---:|',
    `| both providers healthy | ${ms(before.p50)} | ${ms(before.p99)} | ${before.errors + before.non2xx}/${before.requests} |`,
    `| primary fails 1 s in (breaker opens) | ${ms(during.p50)} | ${ms(during.p99)} | ${during.errors + during.non2xx}/${during.requests} |`,
    `| primary down, breaker open | ${ms(after.p50)} | ${ms(after.p99)} | ${after.errors + after.non2xx}/${after.requests} |`,
    '',
  );
  writeResultsSection('gateway', lines.join('\n'));
}
