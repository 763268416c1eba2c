import { randomUUID } from 'node:crypto';
import { type Database, migrate, transaction } from '../store/index.ts';
import { type AlertGroup, idempotencyKey } from './payload.ts';
import {
  type AnalysisRow,
  fromOutbox,
  fromRow,
  migrations,
  type OutboxDbRow,
  type OutboxRow,
  type StoredAnalysis,
} from './store-schema.ts';

export type { OutboxRow, StoredAnalysis } from './store-schema.ts';

export type Acceptance = { outcome: 'queued' | 'repeat' | 'duplicate'; key: string };
export interface Job {
  id: number;
  key: string;
  kind: 'new' | 'repeat';
  group: AlertGroup;
}
export interface HistoryEntry {
  fingerprint: string;
  atMs: number;
  status: string;
  category: string;
}

export type AnalyzerStore = ReturnType<typeof createAnalyzerStore>;

/**
 * The analyzer's durable state: receipts (idempotency), jobs (accepted groups waiting for analysis),
 * analyses, the notification outbox and per-fingerprint history. Its own migrations, so the feature can
 * move to another database behind this interface (a shared one for replicas) without touching the pipeline.
 */
export function createAnalyzerStore(db: Database) {
  migrate(db, migrations);
  const q = {
    receipt: db.prepare('SELECT last_accepted_ms FROM analyzer_receipts WHERE key = ?'),
    insertReceipt: db.prepare(
      'INSERT INTO analyzer_receipts (key, group_key, first_seen_ms, last_accepted_ms) VALUES (?, ?, ?, ?)',
    ),
    touchReceipt: db.prepare('UPDATE analyzer_receipts SET last_accepted_ms = ? WHERE key = ?'),
    countDuplicate: db.prepare('UPDATE analyzer_receipts SET duplicates = duplicates + 1 WHERE key = ?'),
    insertJob: db.prepare(
      "INSERT INTO analyzer_jobs (key, kind, payload, state, created_ms) VALUES (?, ?, ?, 'queued', ?)",
    ),
    claimJob: db.prepare(
      `UPDATE analyzer_jobs SET lease_until_ms = ? WHERE id = (SELECT id FROM analyzer_jobs
         WHERE state = 'queued' AND lease_until_ms <= ? ORDER BY id LIMIT 1) RETURNING id, key, kind, payload`,
    ),
    finishJob: db.prepare("UPDATE analyzer_jobs SET state = 'done', payload = '' WHERE id = ?"),
    insertAnalysis: db.prepare(
      `INSERT INTO analyzer_analyses (id, key, group_key, status, created_ms, repeat_of, group_json, explanation)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    latestForKey: db.prepare(
      'SELECT * FROM analyzer_analyses WHERE key = ? AND repeat_of IS NULL ORDER BY created_ms DESC LIMIT 1',
    ),
    analysis: db.prepare('SELECT * FROM analyzer_analyses WHERE id = ?'),
    latestFiring: db.prepare(
      "SELECT * FROM analyzer_analyses WHERE group_key = ? AND status = 'firing' ORDER BY created_ms DESC LIMIT 1",
    ),
    // Later = created later, or in the same millisecond but inserted after (rowid), as a test clock allows.
    resolvedSince: db.prepare(
      `SELECT 1 FROM analyzer_analyses AS later JOIN analyzer_analyses AS this ON this.id = ?
         WHERE later.group_key = this.group_key AND later.status = 'resolved'
           AND (later.created_ms > this.created_ms
             OR (later.created_ms = this.created_ms AND later.rowid > this.rowid))
         LIMIT 1`,
    ),
    analyses: db.prepare('SELECT * FROM analyzer_analyses ORDER BY created_ms DESC, rowid DESC LIMIT ?'),
    insertOutbox: db.prepare(
      `INSERT INTO analyzer_outbox (id, analysis_id, notifier, notifier_type, state, next_attempt_ms, created_ms)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
    ),
    claimOutbox: db.prepare(
      `UPDATE analyzer_outbox SET lease_until_ms = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM
         analyzer_outbox WHERE state = 'pending' AND next_attempt_ms <= ? AND lease_until_ms <= ?
         ORDER BY next_attempt_ms LIMIT ?) RETURNING *`,
    ),
    delivered: db.prepare(
      "UPDATE analyzer_outbox SET state = 'delivered', done_ms = ?, lease_until_ms = 0 WHERE id = ? AND state = 'pending'",
    ),
    retry: db.prepare(
      "UPDATE analyzer_outbox SET next_attempt_ms = ?, lease_until_ms = 0, last_error = ? WHERE id = ? AND state = 'pending'",
    ),
    failed: db.prepare(
      "UPDATE analyzer_outbox SET state = 'failed', done_ms = ?, lease_until_ms = 0, last_error = ? WHERE id = ? AND state = 'pending'",
    ),
    outboxFor: db.prepare('SELECT * FROM analyzer_outbox WHERE analysis_id = ? ORDER BY notifier'),
    pending: db.prepare("SELECT count(*) AS n FROM analyzer_outbox WHERE state = 'pending'"),
    queued: db.prepare("SELECT count(*) AS n FROM analyzer_jobs WHERE state = 'queued'"),
    insertHistory: db.prepare(
      'INSERT INTO analyzer_history (fingerprint, at_ms, status, analysis_id, category) VALUES (?, ?, ?, ?, ?)',
    ),
  };

  return {
    /**
     * Records the group and queues its analysis in one transaction, or says it is a duplicate. The same
     * state seen again within `dedupeWindowMs` is a retry or an HA peer; later it is a `repeat_interval`
     * reminder, which reuses the earlier analysis.
     */
    accept(group: AlertGroup, nowMs: number, dedupeWindowMs: number): Acceptance {
      const key = idempotencyKey(group);
      return transaction(db, () => {
        const seen = q.receipt.get(key) as { last_accepted_ms: number } | undefined;
        if (seen && nowMs - seen.last_accepted_ms < dedupeWindowMs) {
          q.countDuplicate.run(key);
          return { outcome: 'duplicate', key };
        }
        if (seen) q.touchReceipt.run(nowMs, key);
        else q.insertReceipt.run(key, group.groupKey, nowMs, nowMs);
        const kind = seen ? 'repeat' : 'new';
        q.insertJob.run(key, kind, JSON.stringify(group), nowMs);
        return { outcome: seen ? 'repeat' : 'queued', key };
      });
    },
    /** Leases the oldest queued job; an expired lease (a crashed process) makes it claimable again. */
    claimJob(nowMs: number, leaseMs: number): Job | undefined {
      const row = q.claimJob.get(nowMs + leaseMs, nowMs) as
        | { id: number; key: string; kind: Job['kind']; payload: string }
        | undefined;
      return row && { id: row.id, key: row.key, kind: row.kind, group: JSON.parse(row.payload) };
    },
    /** The analysis, its outbox rows and the history land together, and the job is closed, atomically. */
    completeJob(
      job: Job,
      analysis: StoredAnalysis,
      notifiers: { index: number; type: string }[],
      nowMs: number,
    ) {
      transaction(db, () => {
        q.insertAnalysis.run(
          analysis.id,
          analysis.key,
          analysis.groupKey,
          analysis.status,
          nowMs,
          analysis.repeatOf,
          JSON.stringify(analysis.group),
          JSON.stringify(analysis.explanation),
        );
        for (const notifier of notifiers)
          q.insertOutbox.run(randomUUID(), analysis.id, notifier.index, notifier.type, nowMs, nowMs);
        for (const alert of analysis.group.alerts)
          q.insertHistory.run(
            alert.fingerprint,
            nowMs,
            alert.status,
            analysis.id,
            analysis.explanation.category,
          );
        q.finishJob.run(job.id);
      });
    },
    previousAnalysis(key: string): StoredAnalysis | undefined {
      const row = q.latestForKey.get(key) as AnalysisRow | undefined;
      return row && fromRow(row);
    },
    /** The last firing analysis of a group: what a resolution follows up. */
    latestFiring(groupKey: string): StoredAnalysis | undefined {
      const row = q.latestFiring.get(groupKey) as AnalysisRow | undefined;
      return row && fromRow(row);
    },
    /** Whether the analysis's group has resolved since: a firing notification still queued is out of date. */
    resolvedSince(analysisId: string): boolean {
      return q.resolvedSince.get(analysisId) !== undefined;
    },
    analysis(id: string): StoredAnalysis | undefined {
      const row = q.analysis.get(id) as AnalysisRow | undefined;
      return row && fromRow(row);
    },
    analyses(limit: number): StoredAnalysis[] {
      return (q.analyses.all(Math.min(Math.max(limit, 1), 500)) as unknown as AnalysisRow[]).map(fromRow);
    },
    claimOutbox(nowMs: number, leaseMs: number, limit: number): OutboxRow[] {
      return (q.claimOutbox.all(nowMs + leaseMs, nowMs, nowMs, limit) as unknown as OutboxDbRow[]).map(
        fromOutbox,
      );
    },
    /** Conditional on `pending`: a row is marked delivered once, whoever raced for it. */
    markDelivered: (id: string, nowMs: number) => Number(q.delivered.run(nowMs, id).changes) === 1,
    markRetry: (id: string, nextMs: number, error: string) =>
      void q.retry.run(nextMs, error.slice(0, 500), id),
    markFailed: (id: string, nowMs: number, error: string) =>
      void q.failed.run(nowMs, error.slice(0, 500), id),
    notifications(analysisId: string): OutboxRow[] {
      return (q.outboxFor.all(analysisId) as unknown as OutboxDbRow[]).map(fromOutbox);
    },
    /**
     * Bounded retention: finished work older than the cutoff goes (pending outbox rows and queued jobs
     * never do), then analyses beyond the row cap. Receipts go with the retention, so a group state
     * older than that is treated as new.
     */
    prune(olderThanMs: number, maxRows: number): number {
      return transaction(db, () => {
        let removed = 0;
        const run = (sql: string, ...params: number[]) => {
          removed += Number(db.prepare(sql).run(...params).changes);
        };
        run("DELETE FROM analyzer_jobs WHERE state = 'done' AND created_ms < ?", olderThanMs);
        run('DELETE FROM analyzer_receipts WHERE last_accepted_ms < ?', olderThanMs);
        run('DELETE FROM analyzer_history WHERE at_ms < ?', olderThanMs);
        run(
          `DELETE FROM analyzer_analyses WHERE (created_ms < ? OR rowid NOT IN (SELECT rowid FROM analyzer_analyses ORDER BY created_ms DESC LIMIT ?))
             AND id NOT IN (SELECT analysis_id FROM analyzer_outbox WHERE state = 'pending')`,
          olderThanMs,
          maxRows,
        );
        run(
          "DELETE FROM analyzer_outbox WHERE state != 'pending' AND analysis_id NOT IN (SELECT id FROM analyzer_analyses)",
        );
        return removed;
      });
    },
    pendingCount: () => Number((q.pending.get() as { n: number }).n),
    queuedCount: () => Number((q.queued.get() as { n: number }).n),
    history(fingerprints: string[], sinceMs: number, limit = 50): HistoryEntry[] {
      if (fingerprints.length === 0) return [];
      const unique = [...new Set(fingerprints)].slice(0, 50);
      const rows = db
        .prepare(
          `SELECT fingerprint, at_ms, status, category FROM analyzer_history WHERE at_ms >= ? AND fingerprint IN (${unique.map(() => '?').join(',')}) ORDER BY at_ms DESC LIMIT ?`,
        )
        .all(sinceMs, ...unique, limit) as {
        fingerprint: string;
        at_ms: number;
        status: string;
        category: string;
      }[];
      return rows.map((row) => ({
        fingerprint: row.fingerprint,
        atMs: row.at_ms,
        status: row.status,
        category: row.category,
      }));
    },
  };
}
