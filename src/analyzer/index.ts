import type { Component, RuntimeContext } from '../component.ts';
import { createContextGatherer } from './gather.ts';
import { startInternalSource } from './internal-source.ts';
import { createLlmExplainer } from './llm.ts';
import { createOutboxWorker } from './outbox.ts';
import type { AlertGroup } from './payload.ts';
import { createPipeline } from './pipeline.ts';
import { createAnalyzerRouter } from './router.ts';
import { createAnalyzerStore } from './store.ts';
import { createWorker } from './worker.ts';

export interface AnalyzerDeps {
  fetch?: typeof globalThis.fetch;
  random?: () => number;
  /** Where the console notifier writes: stderr, because stdout carries the JSON log lines. */
  write?: (line: string) => void;
}

/**
 * The analyzer: Alertmanager webhook (or the internal alert source) → durable queue → context → rules,
 * then the LLM → outbox → notifiers. Every step after the 202 runs in the worker, from SQLite.
 */
export function createAnalyzer(ctx: RuntimeContext, deps: AnalyzerDeps = {}): Component {
  const { config, bus, logger, now } = ctx;
  const settings = config.analyzer;
  if (!settings.enabled) return { name: 'analyzer' };
  const {
    fetch = globalThis.fetch,
    random = Math.random,
    write = (line) => process.stderr.write(line),
  } = deps;
  const { instruments } = ctx.telemetry;
  const store = createAnalyzerStore(ctx.db);
  const llm = settings.llm && createLlmExplainer({ ...settings.llm, instruments, fetch, now });
  const analyze = createPipeline({
    store,
    gather: createContextGatherer({
      prometheusURL: settings.prometheusURL,
      alertmanagerURL: settings.alertmanagerURL,
      store,
      timeoutMs: settings.contextTimeoutMs,
      fetch,
      now,
    }),
    llm,
    notify: settings.notify,
    bus,
    instruments,
    now,
  });
  const drainOutbox = createOutboxWorker({
    store,
    notify: settings.notify,
    bus,
    instruments,
    now,
    random,
    fetch,
    write,
    selfURL: ctx.selfURL,
    baseDelayMs: settings.outbox.baseDelayMs,
    maxDelayMs: settings.outbox.maxDelayMs,
    giveUpAfterMs: settings.outbox.giveUpAfterSeconds * 1000,
    sendTimeoutMs: settings.outbox.sendTimeoutMs,
    leaseMs: settings.outbox.leaseMs,
    concurrency: settings.outbox.concurrency,
  });
  const worker = createWorker({
    store,
    analyze,
    drainOutbox,
    now,
    logger,
    pollMs: settings.outbox.pollMs,
    leaseMs: settings.outbox.leaseMs,
    jobConcurrency: Math.max(settings.llm?.maxConcurrency ?? 4, 4),
    outboxConcurrency: settings.outbox.concurrency,
  });
  const accept = (group: AlertGroup) => {
    const acceptance = store.accept(group, now(), settings.dedupeWindowSeconds * 1000);
    if (acceptance.outcome !== 'duplicate') worker.kick();
    return acceptance;
  };
  const internal = settings.internalSource.enabled ?? !settings.alertmanagerURL;
  let stopInternal: (() => void) | undefined;
  let started = false;
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  const prune = () => {
    try {
      store.prune(now() - config.store.retentionDays * 86_400_000, config.store.maxRowsPerTable);
    } catch (error) {
      logger.warn({ err: error }, 'analyzer retention pruning failed');
    }
  };

  return {
    name: 'analyzer',
    router: createAnalyzerRouter({
      store,
      accept,
      webhookToken: settings.webhookToken || undefined,
      maxBodyBytes: settings.maxBodyBytes,
      instruments,
      onStoreError: (error) => logger.error({ err: error }, 'analyzer could not queue an alert group'),
    }),
    start() {
      started = true;
      if (internal)
        stopInternal = startInternalSource({
          bus,
          now,
          stormCount: settings.internalSource.failoverStormCount,
          stormWindowMs: settings.internalSource.failoverStormWindowSeconds * 1000,
          externalURL: ctx.selfURL(),
          submit: (group) => {
            try {
              accept(group);
            } catch (error) {
              logger.error({ err: error }, 'internal alert could not be queued');
            }
          },
        });
      // The up-down counter starts at what an earlier process left pending, so it never goes negative.
      instruments.analyzerOutboxPending.record(store.pendingCount());
      worker.start();
      prune();
      pruneTimer = setInterval(prune, 3_600_000);
      pruneTimer.unref();
    },
    async stop() {
      clearInterval(pruneTimer);
      stopInternal?.();
      await worker.stop();
    },
    ready: () => started,
    summary: () => ({
      queuedGroups: store.queuedCount(),
      pendingNotifications: store.pendingCount(),
      llm: settings.llm ? settings.llm.model : 'off (rule-based)',
      internalSource: internal,
      notifiers: settings.notify.map((notifier) => notifier.type),
    }),
  };
}

export function createAnalyzerComponent(ctx: RuntimeContext): Component {
  return createAnalyzer(ctx);
}

export { categories, type Explanation, severities } from './categories.ts';
export {
  type AnalyzeOnceOptions,
  analyzeOnce,
  type OneShotNotification,
  type OneShotResult,
} from './one-shot.ts';
export { webhookSchema } from './payload.ts';
export { type ProbeRunResult, probeRunGroup } from './probe-run.ts';
