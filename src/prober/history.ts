import { type Database, migrate } from '../store/index.ts';
import type { ProbeRecord } from './record.ts';

const migrations = {
  'probes/1': `
    CREATE TABLE probe_results (
      id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
      success INTEGER NOT NULL, state TEXT NOT NULL, error_type TEXT, latency_ms REAL NOT NULL,
      ttft_ms REAL, status_code INTEGER, detail TEXT NOT NULL
    );
    CREATE INDEX probe_results_target_id ON probe_results (target, id);`,
};

interface Row {
  id: number;
  detail: string;
}

export interface ProbeHistory {
  append(record: ProbeRecord): void;
  /** Newest first. */
  list(target: string, limit: number): ProbeRecord[];
  /** Drops rows older than the cutoff; per-target caps are applied on append. */
  prune(olderThan: Date): number;
}

/**
 * Last N results per target in SQLite (migration `probes/1`). The cap is enforced on append with one
 * indexed delete, so the table never grows past targets × N rows whatever the run time.
 */
export function createProbeHistory(db: Database, { perTarget = 100 } = {}): ProbeHistory {
  migrate(db, migrations);
  const insert = db.prepare(
    `INSERT INTO probe_results (target, at, kind, success, state, error_type, latency_ms, ttft_ms, status_code, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const trim = db.prepare(
    `DELETE FROM probe_results WHERE target = ? AND id <= (
       SELECT id FROM probe_results WHERE target = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
  );
  const select = db.prepare('SELECT id, detail FROM probe_results WHERE target = ? ORDER BY id DESC LIMIT ?');
  const pruneOld = db.prepare('DELETE FROM probe_results WHERE at < ?');
  return {
    append(record) {
      insert.run(
        record.target,
        record.at,
        record.kind,
        record.success ? 1 : 0,
        record.state,
        record.errorType ?? null,
        record.durationMs,
        record.ttftMs ?? null,
        record.statusCode ?? null,
        JSON.stringify(record),
      );
      trim.run(record.target, record.target, perTarget);
    },
    list(target, limit) {
      return (select.all(target, limit) as unknown as Row[]).map(
        (row) => JSON.parse(row.detail) as ProbeRecord,
      );
    },
    prune(olderThan) {
      return Number(pruneOld.run(olderThan.toISOString()).changes);
    },
  };
}
