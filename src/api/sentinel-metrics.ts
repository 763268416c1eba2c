/** The Sentinel-Ops fields of GET /api/metrics (and of the `metrics` message on /ws/system-events). */
export interface SentinelMetrics {
  /** Client requests (/v1/chat/completions and /api/chat) since start. */
  total_requests: number;
  /** Those answered successfully. */
  total_successes: number;
  /** Those that ended in an error (the client saw a 4xx/5xx or a cut stream). */
  total_failures: number;
  /** Requests served (or next tried) by a later target because an earlier one was skipped or failed. */
  total_failovers: number;
  /** Mean duration of the successful requests, in milliseconds. */
  avg_latency_ms: number;
  /** The provider that answered the most recent successful request; null before the first. */
  active_provider: string | null;
  /** Seconds since this process started serving. */
  uptime_seconds: number;
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Builds the fields from the gateway's summary (absent in roles without a gateway: zeros and null).
 * Totals are per process, since start, like the rest of /api/metrics.
 */
export function sentinelMetrics(
  gateway: Record<string, unknown> | undefined,
  uptimeMs: number,
): SentinelMetrics {
  const requests = count(gateway?.requests);
  const failures = count(gateway?.errors);
  const active = gateway?.activeProvider;
  return {
    total_requests: requests,
    total_successes: gateway?.successes === undefined ? requests - failures : count(gateway.successes),
    total_failures: failures,
    total_failovers: count(gateway?.failovers),
    avg_latency_ms: count(gateway?.avgLatencyMs),
    active_provider: typeof active === 'string' ? active : null,
    uptime_seconds: Math.round(uptimeMs / 100) / 10,
  };
}
