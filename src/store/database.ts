import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export type Database = DatabaseSync;

/**
 * Opens (and creates) the SQLite file. WAL lets the status API read while the outbox writes; busy_timeout
 * covers the short lock waits of two processes (say `inferwatch probe` beside `inferwatch start`) on one file.
 */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  );
  db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  return db;
}

/**
 * Applies a feature's schema once. Each feature names its own migrations (`incidents/1`, `outbox/1`, ...),
 * so features stay independent and an upgrade only runs what is new.
 */
export function migrate(db: Database, migrations: Record<string, string>): void {
  const applied = db.prepare('SELECT 1 FROM migrations WHERE name = ?');
  const record = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
  for (const [name, sql] of Object.entries(migrations)) {
    if (applied.get(name)) continue;
    db.exec('BEGIN');
    try {
      db.exec(sql);
      record.run(name, new Date().toISOString());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
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
