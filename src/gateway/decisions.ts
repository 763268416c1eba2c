import type { FailureType } from '../providers/index.ts';

export interface Decision {
  /** Try the same target again (backoff, budget and deadline permitting). */
  retry: boolean;
  /** Move on to the next target in the chain. */
  failover: boolean;
  /** Counts against the target's circuit breaker. */
  countsAgainstTarget: boolean;
}

const row = (retry: boolean, failover: boolean, countsAgainstTarget: boolean): Decision => ({
  retry,
  failover,
  countsAgainstTarget,
});

/**
 * Upstream failure class → what the gateway does, one reviewed row each. Neither retry nor failover means
 * the upstream's answer goes back to the client: a request the client got wrong is wrong everywhere.
 */
export const decisions = {
  rate_limited: row(true, true, true), // quota; honour Retry-After, then try elsewhere
  server_error: row(true, true, true),
  model_overloaded: row(true, true, true), // capacity; another provider may have it
  timeout_connect: row(true, true, true), // nothing was sent; cheap to retry
  timeout_first_token: row(false, true, true), // already waited firstTokenMs; do not wait again here
  timeout_idle: row(false, true, true), // only before the first byte reached the client
  timeout_total: row(false, true, true),
  dns: row(false, true, true), // a name that did not resolve will not resolve in 200 ms
  connect: row(true, true, true),
  tls: row(false, true, true),
  connection_reset: row(true, true, true),
  stream_cut: row(true, true, true), // only before the first byte reached the client
  malformed_response: row(false, true, true),
  empty_response: row(false, true, true),
  context_length: row(false, true, false), // never resent to the same model; a bigger one may fit it
  content_filter: row(false, false, false), // the content is the problem, wherever it goes
  auth: row(false, true, true), // our key for this provider is wrong; the next provider has its own
  client_error: row(false, false, false), // the client's request is wrong everywhere
  queue_timeout: row(false, true, false), // our own cap was full, the provider never saw the request
  assertion_failed: row(false, false, false), // prober-only classes: never produced by the gateway
  canary_failed: row(false, false, false),
  // Our own failure (the upstream may never have been called): the next target would fail the same way,
  // and a breaker that counted it would lock every client out of a healthy provider.
  internal: row(false, false, false),
} as const satisfies Record<FailureType, Decision>;

export const decide = (type: FailureType): Decision => decisions[type];
