import { writeResultsSection } from '../results-file.ts';

interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
export interface AnalyzerBenchResult {
  machine: string;
  latencyGroups: number;
  ack: Quantiles;
  endToEnd: Quantiles;
  storm: {
    groups: number;
    alerts: number;
    seconds: number;
    alertsPerSecond: number;
    groupsPerSecond: number;
  };
}

const ms = (value: number) => value.toFixed(2);

/** Replaces the Analyzer section of bench/RESULTS.md (between its markers), or appends it. */
export function writeSection(result: AnalyzerBenchResult): void {
  const section = [
    '## Analyzer',
    '',
    `Webhook → notification, LLM excluded (rule-based), SQLite on disk, webhook notifier to a local receiver; ${result.machine}. Produced by \`node bench/analyzer/run.ts\`.`,
    '',
    `| ${result.latencyGroups} groups, one at a time | p50 ms | p95 ms | p99 ms | max ms |`,
    '|---|---:|---:|---:|---:|',
    `| POST → 202 (durably queued) | ${ms(result.ack.p50)} | ${ms(result.ack.p95)} | ${ms(result.ack.p99)} | ${ms(result.ack.max)} |`,
    `| POST → notification received | ${ms(result.endToEnd.p50)} | ${ms(result.endToEnd.p95)} | ${ms(result.endToEnd.p99)} | ${ms(result.endToEnd.max)} |`,
    '',
    `Sustained: ${result.storm.groups} groups × 10 alerts (${result.storm.alerts} alerts), 32 in flight: ${result.storm.seconds.toFixed(1)} s until the last notification → **${result.storm.alertsPerSecond.toFixed(0)} alerts/s** (${result.storm.groupsPerSecond.toFixed(0)} groups/s, each analysed, stored and delivered).`,
  ].join('\n');
  writeResultsSection('analyzer', section);
}
