import { randomUUID } from 'node:crypto';
import { type Database, migrate } from './database.ts';

export interface Incident {
  id: string;
  at: string;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  title: string;
  subject: string;
  detail: Record<string, unknown>;
}

export type NewIncident = Omit<Incident, 'id' | 'at'> & { id?: string; at?: string };

export interface IncidentStore {
  record(incident: NewIncident): Incident;
  /** Newest first; `kind` is one kind or any of several. */
  list(options?: { limit?: number; kind?: string | readonly string[]; subject?: string }): Incident[];
  /** Deletes rows older than the retention or beyond the row cap; returns how many went. */
  prune(options: { olderThan: Date; maxRows: number }): number;
}

const migrations = {
  'incidents/1': `
    CREATE TABLE incidents (
      id TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,
      title TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL
    );
    CREATE INDEX incidents_at ON incidents (at);
    CREATE INDEX incidents_kind_at ON incidents (kind, at);
    CREATE INDEX incidents_subject_at ON incidents (subject, at);`,
};

interface IncidentRow {
  id: string;
  at: string;
  kind: string;
  severity: Incident['severity'];
  title: string;
  subject: string;
  detail: string;
}

export function createIncidentStore(
  db: Database,
  { now = Date.now }: { now?: () => number } = {},
): IncidentStore {
  migrate(db, migrations);
  const insert = db.prepare(
    'INSERT INTO incidents (id, at, kind, severity, title, subject, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const fromRow = (row: IncidentRow): Incident => ({ ...row, detail: JSON.parse(row.detail) });
  return {
    record(input) {
      const incident: Incident = {
        ...input,
        id: input.id ?? randomUUID(),
        at: input.at ?? new Date(now()).toISOString(),
      };
      insert.run(
        incident.id,
        incident.at,
        incident.kind,
        incident.severity,
        incident.title,
        incident.subject,
        JSON.stringify(incident.detail),
      );
      return incident;
    },
    list({ limit = 50, kind, subject } = {}) {
      const clauses: string[] = [];
      const params: string[] = [];
      const kinds = (kind === undefined ? [] : typeof kind === 'string' ? [kind] : [...kind]).filter(Boolean);
      if (kinds.length > 0) {
        clauses.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
        params.push(...kinds);
      }
      if (subject) {
        clauses.push('subject = ?');
        params.push(subject);
      }
      const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
      const rows = db
        .prepare(`SELECT * FROM incidents ${where} ORDER BY at DESC, rowid DESC LIMIT ?`)
        .all(...params, Math.min(Math.max(limit, 1), 1000)) as unknown as IncidentRow[];
      return rows.map(fromRow);
    },
    prune({ olderThan, maxRows }) {
      const byAge = db.prepare('DELETE FROM incidents WHERE at < ?').run(olderThan.toISOString()).changes;
      const byCount = db
        .prepare(
          'DELETE FROM incidents WHERE rowid NOT IN (SELECT rowid FROM incidents ORDER BY at DESC LIMIT ?)',
        )
        .run(maxRows).changes;
      return Number(byAge) + Number(byCount);
    },
  };
}
