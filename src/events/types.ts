/**
 * Every event on the bus. The WebSocket, the store and OTel logs all see these shapes, so they are the
 * public event contract (documented in docs/events.md): add fields freely, rename none.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface ProviderStatusEvent {
  type: 'provider_status';
  provider: string;
  model: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  /** The replica whose verdict this replica's breaker took over (learned through Redis), if another. */
  peer?: string | undefined;
}

export interface FailoverEvent {
  type: 'failover';
  traceId: string;
  requestedModel: string;
  from: string;
  to: string;
  reason: string;
  chain: string[];
  /**
   * How many failovers with this from/to/reason the event stands for: at most one event per pair and
   * reason a second, the others counted here (traceId, requestedModel and chain are the latest's).
   */
  count: number;
}

/**
 * Every incident kind, from the part that raises it. A closed set: an alert mapped from a kind that
 * nothing raises (or a kind raised that nothing maps) is a type error at the table, not a silent gap.
 */
export const incidentKinds = [
  'circuit_open', // gateway: a target's breaker opened
  'circuit_closed', // gateway: ...and closed again
  'failover', // gateway: traffic moved away from a provider
  'all_targets_unavailable', // gateway: a route refused a request because every target's breaker is open
  'all_targets_recovered', // gateway: that route served a request again
  'stream_cut', // gateway: a stream failed after it started
  'stream_resumed', // gateway: a stream that broke mid-answer continued on another target
  'stream_resume_failed', // gateway: ...or could not (diverged, rejected prefill, nothing left to try)
  'probe_up', // prober: a target entered a state (`probe_<state>`)
  'probe_degraded',
  'probe_down',
  'probe_unknown',
  'notification_failed', // analyzer: a notification was given up
] as const;
export type IncidentKind = (typeof incidentKinds)[number];

/** A probe target's anti-flap state: `unknown` until its first verdict. */
export const probeStates = ['unknown', 'up', 'degraded', 'down'] as const;
export type ProbeState = (typeof probeStates)[number];

export interface IncidentEvent {
  type: 'incident';
  id: string;
  kind: IncidentKind;
  severity: 'critical' | 'warning' | 'info';
  title: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface ProbeResultEvent {
  type: 'probe_result';
  target: string;
  kind: string;
  region: string;
  success: boolean;
  state: ProbeState;
  /** The state before this result; differs from `state` on a transition. */
  previousState?: ProbeState | undefined;
  errorType?: string | undefined;
  latencyMs: number;
  ttftMs?: number | undefined;
  statusCode?: number | undefined;
}

export interface AnalysisEvent {
  type: 'analysis';
  id: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  severity: string;
  category: string;
  summary: string;
  source: 'llm' | 'rules';
}

export interface NotificationEvent {
  type: 'notification';
  id: string;
  notifier: string;
  outcome: 'sent' | 'retrying' | 'failed';
  analysisId: string;
}

/** One provider's health as the gateway sees it (breaker and the last 512 attempts of its targets). */
export interface ProviderHealth {
  status: 'healthy' | 'degraded' | 'down';
  latencyMs: number | null;
  successRatePct: number | null;
  breakerState: BreakerState;
}

export interface MetricsEvent {
  type: 'metrics';
  requests: number;
  errors: number;
  failovers: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered successfully since start (requests - errors). */
  successes?: number | undefined;
  /** Mean duration of the successful requests since start. */
  avgLatencyMs?: number | undefined;
  /** The provider that answered the most recent successful request; null before the first. */
  activeProvider?: string | null | undefined;
  providers?: Record<string, ProviderHealth> | undefined;
}

export interface HeartbeatEvent {
  type: 'heartbeat';
}

export type InferwatchEvent =
  | ProviderStatusEvent
  | FailoverEvent
  | IncidentEvent
  | ProbeResultEvent
  | AnalysisEvent
  | NotificationEvent
  | MetricsEvent
  | HeartbeatEvent;

export type EventType = InferwatchEvent['type'];

/**
 * An event as delivered: stamped once by the bus of the replica that raised it, so every subscriber (on
 * any replica) sees the same time, sequence and `instance` (that replica's service.instance.id; seq
 * counts per instance).
 */
export type Envelope<E extends InferwatchEvent = InferwatchEvent> = E & {
  seq: number;
  at: string;
  instance: string;
};
