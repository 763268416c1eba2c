import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import { fullJitterDelay } from '../providers/index.ts';
import type { Instruments } from '../telemetry/instruments.ts';
import * as n from '../telemetry/semconv.ts';
import { type Message, type NotifierConfig, send } from './notify/index.ts';
import type { AnalyzerStore, OutboxRow, StoredAnalysis } from './store.ts';

export interface OutboxOptions {
  store: AnalyzerStore;
  notify: readonly NotifierConfig[];
  bus: EventBus;
  instruments: Instruments;
  now: () => number;
  random: () => number;
  fetch: typeof globalThis.fetch;
  write: (line: string) => void;
  selfURL: () => string;
  baseDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
  sendTimeoutMs: number;
  leaseMs: number;
  concurrency: number;
}

/** Builds what the notifiers render from a stored analysis. */
export function messageOf(
  analysis: StoredAnalysis,
  deliveryId: string,
  store: Pick<AnalyzerStore, 'latestFiring' | 'analysis' | 'resolvedSince'>,
  selfURL: string,
): Message {
  const { group } = analysis;
  const kind = analysis.repeatOf ? 'reminder' : analysis.status === 'resolved' ? 'resolved' : 'alert';
  const followed =
    kind === 'reminder'
      ? store.analysis(analysis.repeatOf ?? '')
      : kind === 'resolved'
        ? store.latestFiring(group.groupKey)
        : undefined;
  return {
    analysisId: analysis.id,
    deliveryId,
    kind,
    groupKey: group.groupKey,
    alertname: group.commonLabels.alertname ?? group.alerts[0]?.labels.alertname ?? 'alert',
    explanation: analysis.explanation,
    alerts: group.alerts
      .slice(0, 20)
      .map((alert) => ({ status: alert.status, labels: alert.labels, summary: alert.annotations.summary })),
    alertCount: group.alerts.length + group.truncatedAlerts,
    externalURL: group.externalURL,
    followsUp: followed && { analysisId: followed.id, at: followed.createdAt },
    link: `${selfURL}/api/analyses/${analysis.id}`,
    groupResolvedLater: analysis.status === 'firing' && store.resolvedSince(analysis.id),
  };
}

/**
 * Delivers outbox rows: claim with a lease (a crashed process's rows come back when it expires), send,
 * then mark delivered with a conditional update so a row is delivered once. Failures back off with the
 * shared full-jitter backoff (raised to Retry-After) until `giveUpAfterMs`, then an incident is recorded.
 * `lastError` reads `<class>: <detail>`, the class from the shared failure classes.
 */
export function createOutboxWorker(options: OutboxOptions) {
  const { store, notify, bus, instruments, now } = options;
  // Every configured notifier's series exist from the start at 0, so the first failure is an increase
  // that alerting rules can see (a counter that is born at 1 shows no increase).
  for (const type of new Set(notify.map((config) => config.type)))
    for (const outcome of ['sent', 'retrying', 'failed'] as const)
      instruments.analyzerNotifications.record(0, { [n.ATTR_NOTIFIER]: type, [n.ATTR_OUTCOME]: outcome });
  const backoff = (attempts: number) => fullJitterDelay(attempts, options, options.random);

  async function deliver(row: OutboxRow): Promise<void> {
    const config = notify[row.notifier];
    const analysis = store.analysis(row.analysisId);
    const publish = (outcome: 'sent' | 'retrying' | 'failed') => {
      instruments.analyzerNotifications.record(1, {
        [n.ATTR_NOTIFIER]: row.notifierType,
        [n.ATTR_OUTCOME]: outcome,
      });
      bus.publish({
        type: 'notification',
        id: row.id,
        notifier: row.notifierType,
        outcome,
        analysisId: row.analysisId,
      });
    };
    if (!config || config.type !== row.notifierType || !analysis) {
      store.markFailed(row.id, now(), 'not_configured: the notifier is no longer in the config');
      instruments.analyzerOutboxPending.record(-1);
      publish('failed');
      return;
    }
    const outcome = await send(config, messageOf(analysis, row.id, store, options.selfURL()), {
      fetch: options.fetch,
      signal: AbortSignal.timeout(options.sendTimeoutMs),
      now,
      write: options.write,
    });
    if (outcome.ok) {
      if (store.markDelivered(row.id, now())) {
        instruments.analyzerOutboxPending.record(-1);
        publish('sent');
      }
      return;
    }
    const expired = now() - row.createdMs >= options.giveUpAfterMs;
    const lastError = `${outcome.reason}: ${outcome.detail}`;
    if (!outcome.retryable || expired) {
      store.markFailed(row.id, now(), lastError);
      instruments.analyzerOutboxPending.record(-1);
      publish('failed');
      bus.publish({
        type: 'incident',
        id: randomUUID(),
        kind: 'notification_failed',
        severity: 'warning',
        title: `${row.notifierType} notification for "${analysis.explanation.summary.slice(0, 120)}" given up after ${row.attempts} attempt(s): ${lastError}`,
        subject: row.notifierType,
        detail: {
          analysisId: row.analysisId,
          outboxId: row.id,
          attempts: row.attempts,
          reason: outcome.reason,
          detail: outcome.detail,
        },
      });
      return;
    }
    const delay = Math.max(backoff(row.attempts), outcome.retryAfterMs ?? 0);
    store.markRetry(row.id, now() + delay, lastError);
    publish('retrying');
  }

  /** Sends what is due now; resolves when this batch is done. */
  return async function drain(): Promise<number> {
    const rows = store.claimOutbox(now(), options.leaseMs, options.concurrency);
    await Promise.all(
      rows.map((row) =>
        deliver(row).catch((error: unknown) =>
          store.markRetry(
            row.id,
            now() + backoff(row.attempts),
            `internal: ${error instanceof Error ? error.message.slice(0, 200) : 'delivery failed'}`,
          ),
        ),
      ),
    );
    return rows.length;
  };
}
