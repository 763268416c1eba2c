import type { ProbeRecord } from './record.ts';

/** What the analyzer said about a run (its explanation and each notifier's outcome). */
export interface RunAnalysis {
  explanation: {
    severity: string;
    category: string;
    summary: string;
    probableCause: string;
    evidence: string[];
    actions: string[];
    source: 'llm' | 'rules';
    fallbackReason?: string | undefined;
  };
  notifications: { notifier: string; outcome: string; attempts: number; reason?: string | undefined }[];
}

export interface RunReport {
  checkedAt: Date;
  region: string;
  records: readonly ProbeRecord[];
  /** Target name → what it checks (a URL, or `model … @ provider`), for the report's lines. */
  endpoints: ReadonlyMap<string, string>;
  /** How the analysis was made: `the LLM (model)` or the rules. */
  analyzer?: string | undefined;
  analysis?: RunAnalysis | undefined;
  /** Notifications were asked for (--notify). */
  notify: boolean;
}

const health = { up: 'healthy', degraded: 'degraded', down: 'down', unknown: 'unknown' } as const;
const marks = { healthy: '🟢', degraded: '🟡', down: '🔴', unknown: '⚪' } as const;
const rule = '═'.repeat(50);
const ms = (value: number) => `${Math.round(value * 10) / 10}ms`;

export function runSummary(records: readonly ProbeRecord[]) {
  const healthy = records.filter((record) => record.state === 'up').length;
  return { total: records.length, healthy, failing: records.length - healthy };
}

/**
 * The OXLO monitoring agent's report, for its users, in two parts so it reads in the order things happen.
 * The head: a header and one line per endpoint with its status and latency.
 */
export function formatRunHead(
  report: Pick<RunReport, 'checkedAt' | 'region' | 'records' | 'endpoints'>,
): string {
  const lines = [
    rule,
    ` Monitoring Check — ${report.checkedAt.toTimeString().slice(0, 8)} (${report.region})`,
    rule,
    '',
    `🔍 Probing ${report.records.length} endpoints...`,
  ];
  for (const record of report.records) {
    const status = health[record.state];
    const endpoint = report.endpoints.get(record.target);
    const error = record.errorType
      ? ` — ${record.errorType}${record.message ? `: ${record.message}` : ''}`
      : '';
    lines.push(
      ` ${marks[status]} ${record.target} — ${status}, ${ms(record.durationMs)}${endpoint ? ` (${endpoint})` : ''}${error}`,
    );
  }
  return lines.join('\n');
}

/**
 * The tail: the analysis of the failures (when asked for and there are any), what was notified, and the
 * summary line ("2 healthy, 1 failing").
 */
export function formatRunTail(report: RunReport): string {
  const { analysis } = report;
  const summary = runSummary(report.records);
  const lines = [''];
  if (summary.failing === 0) lines.push(`✅ All ${summary.total} endpoints healthy!`, '');
  else if (analysis) {
    const { explanation } = analysis;
    const fallback = explanation.fallbackReason
      ? ` (the LLM gave no usable answer: ${explanation.fallbackReason})`
      : '';
    lines.push(
      `🤖 Analyzing ${summary.failing} issues with ${report.analyzer ?? 'the analyzer'}...${fallback}`,
      '',
      `**${explanation.summary}** [${explanation.severity} · ${explanation.category} · ${explanation.source}]`,
      `Probable cause: ${explanation.probableCause}`,
      'Evidence:',
      ...explanation.evidence.map((item) => `  - ${item}`),
      'Recommended actions:',
      ...explanation.actions.map((item) => `  - ${item}`),
      '',
    );
  }
  if (report.notify && summary.failing > 0) {
    const sent = analysis?.notifications ?? [];
    lines.push(
      sent.length === 0
        ? '📣 Notified: nobody (no notifier in analyzer.notify matches this analysis)'
        : `📣 Notified: ${sent
            .map((entry) =>
              entry.outcome === 'sent'
                ? `${entry.notifier} sent`
                : `${entry.notifier} ${entry.outcome} after ${entry.attempts} attempt(s) (${entry.reason ?? 'unknown'})`,
            )
            .join(', ')}`,
      '',
    );
  }
  lines.push(`📊 Summary: ${summary.healthy} healthy, ${summary.failing} failing`);
  return lines.join('\n');
}

/** The same run as JSON: every record, the summary, the analysis and the notifications (or null / []). */
export function runReportJson(report: RunReport): string {
  return JSON.stringify(
    {
      checkedAt: report.checkedAt.toISOString(),
      region: report.region,
      summary: runSummary(report.records),
      results: report.records,
      analysis: report.analysis?.explanation ?? null,
      notifications: report.analysis?.notifications ?? [],
    },
    null,
    2,
  );
}
