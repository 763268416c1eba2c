import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { Instruments } from '../telemetry/instruments.ts';
import * as n from '../telemetry/semconv.ts';
import type { Explanation } from './categories.ts';
import type { AnalysisContext } from './context.ts';
import type { LlmExplainer } from './llm.ts';
import { type NotifierConfig, routes } from './notify/index.ts';
import type { AlertGroup } from './payload.ts';
import { classify } from './rules.ts';
import type { AnalyzerStore, Job, StoredAnalysis } from './store.ts';

export interface PipelineOptions {
  store: AnalyzerStore;
  gather: (group: AlertGroup) => Promise<AnalysisContext>;
  llm?: LlmExplainer | undefined;
  notify: readonly NotifierConfig[];
  bus: EventBus;
  instruments: Instruments;
  now: () => number;
}

/**
 * One accepted group → one stored analysis plus its outbox rows. A repeat reuses the previous analysis
 * (no context reads, no LLM); a resolution is classified by the rules and follows up the firing analysis.
 */
export function createPipeline({ store, gather, llm, notify, bus, instruments, now }: PipelineOptions) {
  async function explain(job: Job): Promise<{ explanation: Explanation; repeatOf: string | null }> {
    const previous = job.kind === 'repeat' ? store.previousAnalysis(job.key) : undefined;
    if (previous) return { explanation: previous.explanation, repeatOf: previous.id };
    const context = await gather(job.group);
    const draft = classify(context);
    // Resolutions are not worth an LLM call: the firing analysis already explained the cause.
    if (!llm || job.group.status === 'resolved') return { explanation: draft, repeatOf: null };
    return { explanation: await llm(context, draft), repeatOf: null };
  }

  return async function analyze(job: Job): Promise<StoredAnalysis> {
    const { explanation, repeatOf } = await explain(job);
    const analysis: StoredAnalysis = {
      id: randomUUID(),
      key: job.key,
      groupKey: job.group.groupKey,
      status: job.group.status,
      createdAt: new Date(now()).toISOString(),
      repeatOf,
      group: job.group,
      explanation,
    };
    const labels = { ...job.group.commonLabels, ...job.group.groupLabels };
    const targets = notify
      .map((config, index) => ({ config, index }))
      .filter(({ config }) => routes(config, explanation.severity, labels))
      .map(({ config, index }) => ({ index, type: config.type }));
    store.completeJob(job, analysis, targets, now());
    instruments.analyzerAnalyses.record(1, {
      [n.ATTR_CATEGORY]: explanation.category,
      [n.ATTR_SEVERITY]: explanation.severity,
      [n.ATTR_SOURCE]: explanation.source,
    });
    instruments.analyzerOutboxPending.record(targets.length);
    bus.publish({
      type: 'analysis',
      id: analysis.id,
      groupKey: analysis.groupKey,
      status: analysis.status,
      severity: explanation.severity,
      category: explanation.category,
      summary: explanation.summary,
      source: explanation.source,
    });
    return analysis;
  };
}
