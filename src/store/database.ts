import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export type Database = DatabaseSync;

const BUSY_TIMEOUT_MS = 5_000;
const SQLITE_BUSY = 5;

/**
 * Opens (and creates) the SQLite file. WAL lets the status API read while the outbox writes; busy_timeout
 * covers the short lock waits of two processes (say `inferwatch probe` beside `inferwatch start`) on one file,
 * so it is set before anything else takes a lock.
 */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
  switchToWal(db);
  db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  return db;
}

/**
 * Switching a fresh file to WAL needs an exclusive lock, and SQLite takes that one without calling the busy
 * handler: a second process opening the same new file at that moment gets "database is locked" at once.
 * So a busy answer is retried here, within the same budget as busy_timeout; once either process has
 * switched the file, the others find it in WAL mode already.
 */
function switchToWal(db: Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.exec('PRAGMA journal_mode = WAL;');
      return;
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== SQLITE_BUSY || Date.now() + pause > deadline)
        throw error;
      // Start-up only, and the API is synchronous: a short blocking pause with jitter.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause * (0.5 + Math.random()));
    }
  }
}

/**
 * Applies a feature's schema once. Each feature names its own migrations (`incidents/1`, `outbox/1`, ...),
 * so features stay independent and an upgrade only runs what is new.
 */
export function migrate(db: Database, migrations: Record<string, string>): void {
  const applied = db.prepare('SELECT 1 FROM migrations WHERE name = ?');
  const record = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
  for (const [name, sql] of Object.entries(migrations)) {
    // The check belongs inside the write transaction: another process may apply the same migration
    // between a check outside it and our BEGIN. IMMEDIATE takes the write lock up front (waiting out
    // busy_timeout), so the check sees the other process's commit.
    transaction(db, () => {
      if (applied.get(name)) return;
      db.exec(sql);
      record.run(name, new Date().toISOString());
    });
  }
}

/** Runs `work` in one transaction; node:sqlite has no helper for it. */
export function transaction<T>(db: Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
