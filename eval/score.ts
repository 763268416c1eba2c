import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Explanation } from '../src/analyzer/categories.ts';
import {
  type AnalysisContext,
  baseContext,
  type RelatedName,
  type SeriesPoint,
} from '../src/analyzer/context.ts';
import { webhookSchema } from '../src/analyzer/payload.ts';
import { classify } from '../src/analyzer/rules.ts';

/** One labelled case: what Alertmanager sent, what Prometheus said, and the answer we expect. */
export interface Scenario {
  name: string;
  note?: string;
  expected: { category: string; severity: string };
  payload: unknown;
  prometheus: { related: Partial<Record<RelatedName, SeriesPoint[]>> };
  history: { minutesAgo: number; status: string; category: string }[];
}

export const scenariosDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export function loadScenarios(dir = scenariosDir): Scenario[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Scenario);
}

/** The context the live analyzer would have built from the same Alertmanager and Prometheus answers. */
export function contextOf(scenario: Scenario, nowMs = Date.parse('2026-11-20T03:30:00Z')): AnalysisContext {
  const group = webhookSchema.parse(scenario.payload);
  const context = baseContext(group, nowMs);
  context.related = scenario.prometheus.related;
  const fingerprint = group.alerts[0]?.fingerprint ?? '';
  context.history = scenario.history.map((entry) => ({
    fingerprint,
    atMs: nowMs - entry.minutesAgo * 60_000,
    status: entry.status,
    category: entry.category,
  }));
  return context;
}

export type Explain = (
  context: AnalysisContext,
  draft: Explanation,
) => Promise<Explanation & { tokens?: number }>;

export interface ScoreRow {
  name: string;
  expected: Scenario['expected'];
  got: { category: string; severity: string; source: string };
  categoryOk: boolean;
  severityOk: boolean;
  droppedEvidence: number;
  tokens: number;
}

export interface Score {
  rows: ScoreRow[];
  categoryAccuracy: number;
  severityAccuracy: number;
  bothAccuracy: number;
  inventedEvidence: number;
  tokensPerGroup: number;
}

/** Scores the rule classifier alone, or the full path when `explain` (the LLM) is given. */
export async function score(scenarios: Scenario[], explain?: Explain): Promise<Score> {
  const rows: ScoreRow[] = [];
  for (const scenario of scenarios) {
    const context = contextOf(scenario);
    const draft = classify(context);
    const got = explain ? await explain(context, draft) : draft;
    rows.push({
      name: scenario.name,
      expected: scenario.expected,
      got: { category: got.category, severity: got.severity, source: got.source },
      categoryOk: got.category === scenario.expected.category,
      severityOk: got.severity === scenario.expected.severity,
      droppedEvidence: got.droppedEvidence ?? 0,
      tokens: (got as { tokens?: number }).tokens ?? 0,
    });
  }
  const share = (test: (row: ScoreRow) => boolean) => rows.filter(test).length / Math.max(rows.length, 1);
  return {
    rows,
    categoryAccuracy: share((row) => row.categoryOk),
    severityAccuracy: share((row) => row.severityOk),
    bothAccuracy: share((row) => row.categoryOk && row.severityOk),
    inventedEvidence: rows.reduce((sum, row) => sum + row.droppedEvidence, 0),
    tokensPerGroup: rows.reduce((sum, row) => sum + row.tokens, 0) / Math.max(rows.length, 1),
  };
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

export function report(title: string, result: Score): string {
  const misses = result.rows.filter((row) => !row.categoryOk || !row.severityOk);
  return [
    `### ${title}`,
    '',
    `| scenarios | category | severity | both | invented evidence dropped | tokens/group |`,
    '|---|---|---|---|---|---|',
    `| ${result.rows.length} | ${pct(result.categoryAccuracy)} | ${pct(result.severityAccuracy)} | ${pct(result.bothAccuracy)} | ${result.inventedEvidence} | ${result.tokensPerGroup.toFixed(0)} |`,
    '',
    ...(misses.length
      ? [
          'Misses:',
          '',
          ...misses.map(
            (row) =>
              `- ${row.name}: expected ${row.expected.category}/${row.expected.severity}, got ${row.got.category}/${row.got.severity} (${row.got.source})`,
          ),
        ]
      : ['No misses.']),
  ].join('\n');
}
