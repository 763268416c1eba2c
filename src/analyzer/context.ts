import type { AlertGroup } from './payload.ts';
import { isOngoing, promqlOf } from './payload.ts';
import type { HistoryEntry } from './store.ts';

export interface SeriesPoint {
  labels: Record<string, string>;
  value: number;
}
export interface RangeSummary {
  labels: Record<string, string>;
  first: number;
  last: number;
  min: number;
  max: number;
}

/** Everything the classifier and the LLM see about one group. Bounded: see `limits`. */
export interface AnalysisContext {
  nowMs: number;
  group: Pick<AlertGroup, 'status' | 'groupKey' | 'groupLabels' | 'commonLabels' | 'commonAnnotations'> & {
    alertCount: number;
    truncatedAlerts: number;
  };
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    ongoing: boolean;
    fingerprint: string;
  }[];
  /** The firing rule's own PromQL over the last hour, one summary per series. */
  expr?: { query: string; series: RangeSummary[] } | undefined;
  /** Related series (instant values), keyed by the names in `relatedQueries`. */
  related: Partial<Record<RelatedName, SeriesPoint[]>>;
  /** Other alerts firing in Alertmanager right now (name and a few labels). */
  otherFiring: { alertname: string; labels: Record<string, string> }[];
  /** This group's fingerprints' earlier states (newest first). */
  history: HistoryEntry[];
  /** Sources that could not be read (name → reason); the notification still goes out. */
  unavailable: Record<string, string>;
}

/**
 * Related series and the PromQL that reads them, in the Prometheus forms noted in telemetry/semconv.ts.
 * Each row answers one question the rules ask.
 */
export const relatedQueries = {
  // Which providers fail, and with which error class (rate_limited, server_error, auth, connect...)?
  errorsByClass:
    'sum by (inferwatch_provider_name, error_type) (rate(inferwatch_gateway_attempts_total{inferwatch_outcome="error"}[5m]))',
  // How much each provider is being asked, to tell "one provider" from "every provider".
  attemptsByProvider: 'sum by (inferwatch_provider_name) (rate(inferwatch_gateway_attempts_total[5m]))',
  // 0 closed, 1 half-open, 2 open.
  breakerState:
    'max by (inferwatch_provider_name, gen_ai_request_model) (inferwatch_gateway_circuit_status{inferwatch_circuit_state="half_open"}) + 2 * max by (inferwatch_provider_name, gen_ai_request_model) (inferwatch_gateway_circuit_status{inferwatch_circuit_state="open"})',
  // Failovers per second and why.
  failovers:
    'sum by (inferwatch_failover_from, inferwatch_failover_to, inferwatch_reason) (rate(inferwatch_gateway_failovers_total[5m]))',
  // Share of client requests the gateway answered successfully (degraded but served?).
  gatewaySuccessRatio:
    'sum(rate(inferwatch_gateway_requests_total{inferwatch_outcome="success"}[5m])) / sum(rate(inferwatch_gateway_requests_total[5m]))',
  // Our own limiter refusing clients: overload on our side.
  gatewayRateLimited: 'sum(rate(inferwatch_gateway_rate_limited_total[5m]))',
  // Probe results per target and region.
  probeByRegion: 'min by (inferwatch_probe_target, cloud_region) (probe_success)',
  // Days until the earliest certificate expires, per probe target.
  certExpiryDays: 'min by (inferwatch_probe_target) ((probe_ssl_earliest_cert_expiry - time()) / 86400)',
} as const;
export type RelatedName = keyof typeof relatedQueries;

export const limits = {
  alerts: 20,
  seriesPerQuery: 20,
  otherFiring: 20,
  history: 20,
  labelValueChars: 160,
} as const;

const clip = (labels: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(labels)
      .slice(0, 20)
      .map(([key, value]) => [
        key,
        value.length > limits.labelValueChars ? `${value.slice(0, limits.labelValueChars)}…` : value,
      ]),
  );

/** The group part of the context, with no I/O: also what the eval corpus and tests start from. */
export function baseContext(group: AlertGroup, nowMs: number): AnalysisContext {
  const first = group.alerts[0];
  const query = first ? promqlOf(first) : undefined;
  return {
    nowMs,
    group: {
      status: group.status,
      groupKey: group.groupKey,
      groupLabels: clip(group.groupLabels),
      commonLabels: clip(group.commonLabels),
      commonAnnotations: clip(group.commonAnnotations),
      alertCount: group.alerts.length + group.truncatedAlerts,
      truncatedAlerts: group.truncatedAlerts,
    },
    alerts: group.alerts.slice(0, limits.alerts).map((alert) => ({
      status: alert.status,
      labels: clip(alert.labels),
      annotations: clip(alert.annotations),
      startsAt: alert.startsAt,
      ongoing: isOngoing(alert),
      fingerprint: alert.fingerprint,
    })),
    expr: query ? { query, series: [] } : undefined,
    related: {},
    otherFiring: [],
    history: [],
    unavailable: {},
  };
}

export { clip as clipLabels };
