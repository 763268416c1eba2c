import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';

/**
 * Whether each route can currently serve, as the incidents see it: `all_targets_unavailable` when a
 * request finds every target of its route refused by its breaker, and `all_targets_recovered` when the
 * route serves a request again. Only the changes are published, so an outage is one pair of incidents
 * however many requests it refuses, and every outage that was raised is also closed (the alert it fires
 * resolves). Routes are keyed by their bounded label, so the set cannot grow with what clients send.
 */
export interface RouteHealth {
  unavailable(route: string, retryAfterMs: number): void;
  served(route: string): void;
}

export function createRouteHealth(bus: EventBus): RouteHealth {
  const down = new Set<string>();
  return {
    unavailable(route, retryAfterMs) {
      if (down.has(route)) return;
      down.add(route);
      bus.publish({
        type: 'incident',
        id: randomUUID(),
        kind: 'all_targets_unavailable',
        severity: 'critical',
        title: `every target for '${route}' is unavailable`,
        subject: route,
        detail: { retryAfterMs },
      });
    },
    served(route) {
      if (!down.delete(route)) return;
      bus.publish({
        type: 'incident',
        id: randomUUID(),
        kind: 'all_targets_recovered',
        severity: 'info',
        title: `'${route}' is served again`,
        subject: route,
        detail: {},
      });
    },
  };
}
