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
  /** The replica that raised it (service.instance.id). */
  instance?: string | undefined;
}

export type NewIncident = Omit<Incident, 'id' | 'at' | 'instance'> & { id?: string; at?: string };

export interface IncidentQuery {
  limit?: number;
  /** One kind or any of several. */
  kind?: string | readonly string[];
  subject?: string;
}

/** Where incidents are kept: a SQLite file per replica, or Redis for the whole fleet (src/fleet/). */
export interface IncidentStore {
  /** Keeps the incident (a fleet store also queues it for Redis) and returns it as stored. */
  record(incident: NewIncident): Incident;
  /** Newest first. */
  list(options?: IncidentQuery): Promise<Incident[]>;
  /** What the last `list` covered: `fleet` (every replica's, from Redis) or `replica` (this one's). */
  scope(): 'fleet' | 'replica';
}

export interface SqliteIncidentStore extends IncidentStore {
  /** Deletes rows older than the retention or beyond the row cap; returns how many went. */
  prune(options: { olderThan: Date; maxRows: number }): number;
}

/** How many incidents one list call returns at most. */
export const MAX_INCIDENT_LIST = 1_000;

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
  { now = Date.now, instance }: { now?: () => number; instance?: string } = {},
): SqliteIncidentStore {
  migrate(db, migrations);
  const insert = db.prepare(
    'INSERT INTO incidents (id, at, kind, severity, title, subject, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // One file per process: what it holds is this replica's.
  const fromRow = (row: IncidentRow): Incident => ({
    ...row,
    detail: JSON.parse(row.detail),
    ...(instance ? { instance } : {}),
  });
  return {
    scope: () => 'replica',
    record(input) {
      const incident: Incident = {
        ...input,
        id: input.id ?? randomUUID(),
        at: input.at ?? new Date(now()).toISOString(),
        ...(instance ? { instance } : {}),
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
    async list({ limit = 50, kind, subject } = {}) {
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
        .all(...params, Math.min(Math.max(limit, 1), MAX_INCIDENT_LIST)) as unknown as IncidentRow[];
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
