import type { RedisLink } from '../redis/index.ts';
import { type Incident, type IncidentStore, MAX_INCIDENT_LIST } from '../store/index.ts';
import type { FleetWriter } from './writer.ts';

export interface FleetIncidentOptions {
  link: RedisLink;
  writer: FleetWriter;
  /** This replica's own store: written always, read while Redis is unreachable. */
  local: IncidentStore;
  /** Incidents kept in Redis; the oldest go first. */
  maxIncidents: number;
}

/** Entries read per round trip while filtering by kind or subject. */
const PAGE = 500;

const atMs = (incident: Incident) => {
  const ms = Date.parse(incident.at);
  return Number.isFinite(ms) ? ms : 0;
};

/**
 * The fleet's incidents in one Redis sorted set (scored by time, so an incident held through an outage
 * and sent late still lands in its place), trimmed to `maxIncidents`. Every incident is also kept in the
 * replica's own SQLite file, which answers GET /api/incidents (for this replica only, and says so) while
 * Redis is unreachable.
 */
export function createFleetIncidentStore({
  link,
  writer,
  local,
  maxIncidents,
}: FleetIncidentOptions): IncidentStore {
  const key = link.key('incidents');

  const read = async ({
    limit = 50,
    kind,
    subject,
  }: Parameters<IncidentStore['list']>[0] = {}): Promise<Incident[]> => {
    const wanted = Math.min(Math.max(limit, 1), MAX_INCIDENT_LIST);
    const kinds = new Set(kind === undefined ? [] : typeof kind === 'string' ? [kind] : kind);
    const matches = (incident: Incident) =>
      (kinds.size === 0 || kinds.has(incident.kind)) && (!subject || incident.subject === subject);
    const found: Incident[] = [];
    // Unfiltered, one page of exactly `wanted` does; filtered, pages are scanned newest first.
    const page = kinds.size === 0 && !subject ? wanted : PAGE;
    for (let start = 0; found.length < wanted && start < maxIncidents; start += page) {
      const members = await link.commands.zrevrange(key, start, start + page - 1);
      for (const member of members) {
        const incident = parse(member);
        if (incident && matches(incident)) found.push(incident);
        if (found.length === wanted) break;
      }
      if (members.length < page) break;
    }
    return found;
  };

  let lastScope: 'fleet' | 'replica' = 'fleet';
  return {
    scope: () => lastScope,
    record(input) {
      const incident = local.record(input);
      const member = JSON.stringify(incident);
      writer.write('incident', (pipeline) =>
        pipeline.zadd(key, atMs(incident), member).zremrangebyrank(key, 0, -(maxIncidents + 1)),
      );
      return incident;
    },
    async list(options) {
      if (link.available()) {
        try {
          const found = await read(options);
          lastScope = 'fleet';
          return found;
        } catch (error) {
          link.failed('incident', error);
        }
      }
      link.fellBack('incident');
      lastScope = 'replica';
      return local.list(options);
    },
  };
}

function parse(member: string): Incident | undefined {
  try {
    const value = JSON.parse(member) as Incident;
    return typeof value?.id === 'string' && typeof value.kind === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
