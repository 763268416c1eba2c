import type { Config } from '../config/index.ts';
import { createEventBus } from '../events/index.ts';
import { openDatabase } from '../store/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import type { Explanation } from './categories.ts';
import { createContextGatherer } from './gather.ts';
import { createLlmExplainer } from './llm.ts';
import { createOutboxWorker } from './outbox.ts';
import type { AlertGroup } from './payload.ts';
import { createPipeline } from './pipeline.ts';
import { createAnalyzerStore } from './store.ts';

export interface AnalyzeOnceOptions {
  config: Config;
  group: AlertGroup;
  /** Deliver to `analyzer.notify` (routing by `match` applies), or only explain. */
  notify: boolean;
  telemetry: Telemetry;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  random?: () => number;
  /** Where the console notifier writes. */
  write?: (line: string) => void;
  /** How long retries of a failing notifier may go on before the run reports it undelivered. */
  deliveryDeadlineMs?: number;
  /** Waits between outbox passes (a timer in production). */
  sleep?: (ms: number) => Promise<void>;
}

export interface OneShotNotification {
  notifier: string;
  outcome: 'sent' | 'failed' | 'undelivered';
  attempts: number;
  reason?: string | undefined;
}

export interface OneShotResult {
  explanation: Explanation;
  notifications: OneShotNotification[];
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The analyzer pipeline run once, in this process, for a group that did not come through the webhook
 * (`inferwatch probe --once --analyze`): the same context gathering, rules, LLM with its evidence check
 * and redaction, and the same outbox and notifiers, on an in-memory store, so a one-shot run neither
 * reads nor leaves anything a server would pick up.
 */
export async function analyzeOnce(options: AnalyzeOnceOptions): Promise<OneShotResult> {
  const { config, group, telemetry, fetch = globalThis.fetch, now = Date.now } = options;
  const { random = Math.random, write = (line) => process.stdout.write(line), sleep = sleepFor } = options;
  const settings = config.analyzer;
  const { instruments } = telemetry;
  const db = openDatabase(':memory:');
  try {
    const store = createAnalyzerStore(db);
    const notify = options.notify ? settings.notify : [];
    const bus = createEventBus({ now });
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
      llm: settings.llm && createLlmExplainer({ ...settings.llm, instruments, fetch, now }),
      notify,
      bus,
      instruments,
      now,
    });
    store.accept(group, now(), 0);
    const job = store.claimJob(now(), settings.outbox.leaseMs);
    if (!job) throw new Error('the alert group was not queued');
    const analysis = await analyze(job);

    const deadline = now() + (options.deliveryDeadlineMs ?? 30_000);
    const drain = createOutboxWorker({
      store,
      notify,
      bus,
      instruments,
      now,
      random,
      fetch,
      write,
      selfURL: () => `http://${config.server.host}:${config.server.port}`,
      baseDelayMs: settings.outbox.baseDelayMs,
      maxDelayMs: settings.outbox.maxDelayMs,
      giveUpAfterMs: settings.outbox.giveUpAfterSeconds * 1000,
      sendTimeoutMs: settings.outbox.sendTimeoutMs,
      leaseMs: settings.outbox.leaseMs,
      concurrency: settings.outbox.concurrency,
    });
    while (store.pendingCount() > 0 && now() < deadline) {
      if ((await drain()) === 0) await sleep(settings.outbox.pollMs);
    }
    return {
      explanation: analysis.explanation,
      notifications: store.notifications(analysis.id).map((row) => ({
        notifier: notify[row.notifier]?.name ?? row.notifierType,
        outcome: row.state === 'delivered' ? 'sent' : row.state === 'failed' ? 'failed' : 'undelivered',
        attempts: row.attempts,
        ...(row.state === 'delivered' ? {} : { reason: row.lastError ?? 'not attempted' }),
      })),
    };
  } finally {
    db.close();
  }
}
