import type { BreakerState, Envelope, EventType, InferwatchEvent } from '../events/index.ts';
import { version } from '../version.ts';
import { incidentTypeOf } from './incident-types.ts';
import { sentinelMetrics } from './sentinel-metrics.ts';

/** What WS /ws/system-events sends: the Sentinel-Ops envelope. */
export interface SystemMessage {
  event_type: 'provider_status' | 'incident' | 'metrics' | 'heartbeat' | 'system';
  payload: Record<string, unknown>;
}

const healthOf = {
  closed: 'healthy',
  half_open: 'degraded',
  open: 'down',
} as const satisfies Record<BreakerState, string>;

type Translations = {
  [T in EventType]?: (
    event: Envelope<Extract<InferwatchEvent, { type: T }>>,
    uptimeMs: () => number,
  ) => SystemMessage[];
};

/**
 * Bus event type → Sentinel-Ops messages. Breaker transitions are immediate `provider_status` updates
 * (for one provider/model); every gateway summary (5 s) brings `metrics` and each provider's full status.
 * Failovers arrive as `incident`s (`incident_type: failover_triggered`, at most one a minute per provider).
 * Other event types (probe results, analyses, ...) have no Sentinel-Ops form and stay on /ws/events.
 */
const translations: Translations = {
  provider_status: (event) => [
    {
      event_type: 'provider_status',
      payload: {
        provider: event.provider,
        model: event.model,
        status: healthOf[event.to],
        circuit_breaker: { state: event.to },
        previous_state: event.from,
        reason: event.reason,
        timestamp: event.at,
      },
    },
  ],
  incident: (event) => [
    {
      event_type: 'incident',
      payload: {
        id: event.id,
        incident_type: incidentTypeOf(event.kind),
        kind: event.kind,
        severity: event.severity,
        title: event.title,
        subject: event.subject,
        detail: event.detail,
        timestamp: event.at,
      },
    },
  ],
  metrics: (event, uptimeMs) => [
    {
      event_type: 'metrics',
      payload: { ...sentinelMetrics({ ...event }, uptimeMs()), timestamp: event.at },
    },
    ...Object.entries(event.providers ?? {}).map(
      ([provider, health]): SystemMessage => ({
        event_type: 'provider_status',
        payload: {
          provider,
          status: health.status,
          latency_ms: health.latencyMs,
          success_rate_pct: health.successRatePct,
          circuit_breaker: { state: health.breakerState },
          timestamp: event.at,
        },
      }),
    ),
  ],
  heartbeat: (event) => [{ event_type: 'heartbeat', payload: { timestamp: event.at } }],
};

export function systemMessagesOf(event: Envelope, uptimeMs: () => number): SystemMessage[] {
  const translate = translations[event.type] as
    | ((event: Envelope, uptimeMs: () => number) => SystemMessage[])
    | undefined;
  // Every message names the replica it came from: with Redis, one socket carries the whole fleet.
  return (translate?.(event, uptimeMs) ?? []).map((message) => ({
    ...message,
    payload: { ...message.payload, instance: event.instance },
  }));
}

/** A `system` lifecycle message (`connected`, `shutting_down`). */
export function systemMessage(status: 'connected' | 'shutting_down', now: number): SystemMessage {
  return {
    event_type: 'system',
    payload: {
      status,
      message:
        status === 'connected'
          ? 'Connected to inferwatch system events'
          : 'inferwatch is shutting down; reconnect to another replica or later',
      version,
      event_types: ['provider_status', 'incident', 'metrics', 'heartbeat', 'system'],
      timestamp: new Date(now).toISOString(),
    },
  };
}

/** What a new client gets: `connected`, then the latest summary (metrics and provider status), if any. */
export function systemGreeting(
  recent: readonly Envelope[],
  now: number,
  uptimeMs: () => number,
): SystemMessage[] {
  const latest = recent.findLast((event) => event.type === 'metrics');
  return [systemMessage('connected', now), ...(latest ? systemMessagesOf(latest, uptimeMs) : [])];
}
