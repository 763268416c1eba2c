import { type Database, migrate, transaction } from './database.ts';

/** What a series is about: a probe target's checks, or a provider's upstream calls. */
export const seriesKinds = ['probe', 'provider'] as const;
export type SeriesKind = (typeof seriesKinds)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** The bar of recent checks shows this many minutes; minute rows are kept a little longer. */
export const RECENT_MINUTES = 60;
const KEEP_MINUTES_MS = 2 * HOUR_MS;
/** Uptime is shown over 24 h and 7 d; hour rows are kept one day past the longer window. */
const KEEP_HOURS_MS = 8 * 24 * HOUR_MS;

/**
 * Two rollups per series, so the store stays bounded by the number of configured targets and providers
 * whatever the traffic: a row per minute for the last two hours (the bar and the sparkline) and a row per
 * hour for eight days (uptime over 24 h and 7 d).
 */
const migrations = {
  'status-history/1': `
    CREATE TABLE status_minutes (
      kind TEXT NOT NULL, name TEXT NOT NULL, minute INTEGER NOT NULL,
      total INTEGER NOT NULL, failed INTEGER NOT NULL, latency_sum REAL NOT NULL, latency_count INTEGER NOT NULL,
      PRIMARY KEY (kind, name, minute)
    ) WITHOUT ROWID;
    CREATE TABLE status_hours (
      kind TEXT NOT NULL, name TEXT NOT NULL, hour INTEGER NOT NULL,
      total INTEGER NOT NULL, failed INTEGER NOT NULL, latency_sum REAL NOT NULL, latency_count INTEGER NOT NULL,
      PRIMARY KEY (kind, name, hour)
    ) WITHOUT ROWID;`,
};

/** One minute of a series: how many checks or calls, how many failed, their mean latency. */
export interface MinuteBucket {
  at: string;
  total: number;
  failed: number;
  latencyMs: number | null;
}

export interface SeriesHistory {
  name: string;
  /** Share of successful checks or calls; null when there were none in the window. */
  uptime24h: number | null;
  uptime7d: number | null;
  total24h: number;
  /** The last RECENT_MINUTES minutes, oldest first; minutes without data have total 0. */
  recent: MinuteBucket[];
}

export interface StatusHistory {
  /** Counts one outcome in memory; cheap enough for the request path. Written by flush(). */
  record(kind: SeriesKind, name: string, ok: boolean, latencyMs?: number): void;
  /** Writes what record() gathered since the last flush, in one transaction. */
  flush(): void;
  /** Deletes rows older than the windows shown; returns how many went. */
  prune(): number;
  /** The series as they stand now, what is still in memory included. */
  read(kind: SeriesKind, names: readonly string[]): SeriesHistory[];
}

interface Pending {
  kind: SeriesKind;
  name: string;
  minute: number;
  total: number;
  failed: number;
  latencySum: number;
  latencyCount: number;
}

interface Row {
  total: number;
  failed: number;
  latency_sum: number;
  latency_count: number;
}

export function createStatusHistory(
  db: Database,
  { now = Date.now }: { now?: () => number } = {},
): StatusHistory {
  migrate(db, migrations);
  const upsert = (table: 'status_minutes' | 'status_hours', column: 'minute' | 'hour') =>
    db.prepare(
      `INSERT INTO ${table} (kind, name, ${column}, total, failed, latency_sum, latency_count)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, name, ${column}) DO UPDATE SET
         total = total + excluded.total, failed = failed + excluded.failed,
         latency_sum = latency_sum + excluded.latency_sum, latency_count = latency_count + excluded.latency_count`,
    );
  const q = {
    minute: upsert('status_minutes', 'minute'),
    hour: upsert('status_hours', 'hour'),
    minutes: db.prepare(
      'SELECT minute, total, failed, latency_sum, latency_count FROM status_minutes WHERE kind = ? AND name = ? AND minute >= ?',
    ),
    hours: db.prepare(
      'SELECT COALESCE(SUM(total), 0) AS total, COALESCE(SUM(failed), 0) AS failed, 0 AS latency_sum, 0 AS latency_count FROM status_hours WHERE kind = ? AND name = ? AND hour >= ?',
    ),
    pruneMinutes: db.prepare('DELETE FROM status_minutes WHERE minute < ?'),
    pruneHours: db.prepare('DELETE FROM status_hours WHERE hour < ?'),
  };
  // At most one entry per series and minute between flushes: bounded by the configured series.
  const pending = new Map<string, Pending>();

  const uptime = (row: Row | undefined) =>
    row && row.total > 0 ? Math.round(((row.total - row.failed) / row.total) * 100_000) / 100_000 : null;

  const flush = () => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    transaction(db, () => {
      for (const e of batch) {
        const values = [e.total, e.failed, e.latencySum, e.latencyCount] as const;
        q.minute.run(e.kind, e.name, e.minute, ...values);
        q.hour.run(e.kind, e.name, Math.floor(e.minute / HOUR_MS) * HOUR_MS, ...values);
      }
    });
  };

  return {
    flush,
    record(kind, name, ok, latencyMs) {
      const minute = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const key = `${kind}\u0000${name}\u0000${minute}`;
      let entry = pending.get(key);
      if (!entry) {
        entry = { kind, name, minute, total: 0, failed: 0, latencySum: 0, latencyCount: 0 };
        pending.set(key, entry);
      }
      entry.total += 1;
      if (!ok) entry.failed += 1;
      if (latencyMs !== undefined && Number.isFinite(latencyMs)) {
        entry.latencySum += latencyMs;
        entry.latencyCount += 1;
      }
    },
    prune() {
      const at = now();
      const minutes = q.pruneMinutes.run(at - KEEP_MINUTES_MS).changes;
      const hours = q.pruneHours.run(at - KEEP_HOURS_MS).changes;
      return Number(minutes) + Number(hours);
    },
    read(kind, names) {
      flush();
      const at = now();
      const currentMinute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
      const firstMinute = currentMinute - (RECENT_MINUTES - 1) * MINUTE_MS;
      const currentHour = Math.floor(at / HOUR_MS) * HOUR_MS;
      return names.map((name) => {
        const rows = q.minutes.all(kind, name, firstMinute) as unknown as (Row & { minute: number })[];
        const byMinute = new Map(rows.map((row) => [row.minute, row]));
        const recent = Array.from({ length: RECENT_MINUTES }, (_, index) => {
          const minute = firstMinute + index * MINUTE_MS;
          const row = byMinute.get(minute);
          return {
            at: new Date(minute).toISOString(),
            total: row?.total ?? 0,
            failed: row?.failed ?? 0,
            latencyMs:
              row && row.latency_count > 0
                ? Math.round((row.latency_sum / row.latency_count) * 10) / 10
                : null,
          };
        });
        // The current hour counts as part of both windows: 24 h is the current hour and the 23 before it.
        const day = q.hours.get(kind, name, currentHour - 23 * HOUR_MS) as unknown as Row | undefined;
        const week = q.hours.get(kind, name, currentHour - (7 * 24 - 1) * HOUR_MS) as unknown as
          | Row
          | undefined;
        return { name, uptime24h: uptime(day), uptime7d: uptime(week), total24h: day?.total ?? 0, recent };
      });
    },
  };
}
