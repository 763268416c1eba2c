import { randomUUID } from 'node:crypto';
import type { EventBus, IncidentEvent } from '../events/index.ts';

export type RaiseIncident = (incident: Omit<IncidentEvent, 'type' | 'id'>) => void;

/**
 * Publishes request-path incidents (stream_cut, failover) at most once per kind and
 * subject per `quietMs`: an outage produces one incident, not one per failed request.
 */
export function createIncidentRaiser(bus: EventBus, now: () => number, quietMs = 60_000): RaiseIncident {
  const last = new Map<string, number>();
  return (incident) => {
    const key = `${incident.kind}\u0000${incident.subject}`;
    const at = now();
    const previous = last.get(key);
    if (previous !== undefined && at - previous < quietMs) return;
    last.set(key, at);
    bus.publish({ type: 'incident', id: randomUUID(), ...incident });
  };
}
