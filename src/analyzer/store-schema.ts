import type { Explanation } from './categories.ts';
import type { AlertGroup } from './payload.ts';

/** An analysis as stored: the group it explains and the explanation. */
export interface StoredAnalysis {
  id: string;
  key: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  createdAt: string;
  repeatOf: string | null;
  group: AlertGroup;
  explanation: Explanation;
}
export interface OutboxRow {
  id: string;
  analysisId: string;
  notifier: number;
  notifierType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdMs: number;
  lastError: string | null;
}

/** The analyzer's own migrations (`analyzer/N`), applied by store/database.ts `migrate`. */
export const migrations = {
  'analyzer/1': `
    CREATE TABLE analyzer_receipts (
      key TEXT PRIMARY KEY, group_key TEXT NOT NULL, first_seen_ms INTEGER NOT NULL,
      last_accepted_ms INTEGER NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE analyzer_jobs (
      id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
      state TEXT NOT NULL, lease_until_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL
    );
    CREATE INDEX analyzer_jobs_state ON analyzer_jobs (state, id);
    CREATE TABLE analyzer_analyses (
      id TEXT PRIMARY KEY, key TEXT NOT NULL, group_key TEXT NOT NULL, status TEXT NOT NULL,
      created_ms INTEGER NOT NULL, repeat_of TEXT, group_json TEXT NOT NULL, explanation TEXT NOT NULL
    );
    CREATE INDEX analyzer_analyses_key ON analyzer_analyses (key, created_ms);
    CREATE INDEX analyzer_analyses_created ON analyzer_analyses (created_ms);
    CREATE TABLE analyzer_outbox (
      id TEXT PRIMARY KEY, analysis_id TEXT NOT NULL, notifier INTEGER NOT NULL, notifier_type TEXT NOT NULL,
      state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL,
      lease_until_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, done_ms INTEGER, last_error TEXT
    );
    CREATE INDEX analyzer_outbox_due ON analyzer_outbox (state, next_attempt_ms);
    CREATE TABLE analyzer_history (
      fingerprint TEXT NOT NULL, at_ms INTEGER NOT NULL, status TEXT NOT NULL, analysis_id TEXT NOT NULL,
      category TEXT NOT NULL
    );
    CREATE INDEX analyzer_history_fp ON analyzer_history (fingerprint, at_ms);`,
};

export interface AnalysisRow {
  id: string;
  key: string;
  group_key: string;
  status: 'firing' | 'resolved';
  created_ms: number;
  repeat_of: string | null;
  group_json: string;
  explanation: string;
}
export interface OutboxDbRow {
  id: string;
  analysis_id: string;
  notifier: number;
  notifier_type: string;
  state: OutboxRow['state'];
  attempts: number;
  created_ms: number;
  last_error: string | null;
}

export const fromRow = (row: AnalysisRow): StoredAnalysis => ({
  id: row.id,
  key: row.key,
  groupKey: row.group_key,
  status: row.status,
  createdAt: new Date(row.created_ms).toISOString(),
  repeatOf: row.repeat_of,
  group: JSON.parse(row.group_json),
  explanation: JSON.parse(row.explanation),
});
export const fromOutbox = (row: OutboxDbRow): OutboxRow => ({
  id: row.id,
  analysisId: row.analysis_id,
  notifier: row.notifier,
  notifierType: row.notifier_type,
  state: row.state,
  attempts: row.attempts,
  createdMs: row.created_ms,
  lastError: row.last_error,
});
