import type { IncidentKind } from '../events/index.ts';

/**
 * Sentinel-Ops incident type names → the incident kinds they cover here, so its clients' queries
 * (`GET /api/incidents?type=failover_triggered`) keep working. Its documentation names
 * `failover_triggered` and says incidents are outages, failovers and recoveries; those three words are
 * accepted as type names too. Our own kinds keep working as they are.
 */
export const incidentTypeAliases = {
  failover_triggered: ['failover'],
  outage: ['circuit_open', 'all_targets_unavailable', 'probe_down'],
  recovery: ['circuit_closed', 'probe_up'],
} as const satisfies Record<string, readonly IncidentKind[]>;

type Alias = keyof typeof incidentTypeAliases;

/** The kinds a `?type=` value selects: an alias's kinds, or the value itself (one of our kinds). */
export function incidentKindsFor(type: string): readonly string[] {
  return Object.hasOwn(incidentTypeAliases, type) ? incidentTypeAliases[type as Alias] : [type];
}

/** The Sentinel-Ops name for one of our kinds (the WebSocket's `incident_type`), or the kind itself. */
export function incidentTypeOf(kind: string): string {
  for (const [alias, kinds] of Object.entries(incidentTypeAliases) as [Alias, readonly string[]][]) {
    if (kinds.includes(kind)) return alias;
  }
  return kind;
}
