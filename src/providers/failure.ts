/**
 * The closed set of upstream failure classes. Each value is also the `error.type` label on metrics and
 * spans, declared up front so every label value exists from the start (no missing series). The gateway
 * and the prober share the classes that overlap; each module decides what a class means for it.
 */
export const failureTypes = [
  'rate_limited', // 429 from the upstream
  'server_error', // 5xx from the upstream
  'model_overloaded', // 503/529 or an "overloaded" error body: capacity, not an outage
  'timeout_connect', // no TCP/TLS connection within connectMs
  'timeout_first_token', // no headers / first chunk within firstTokenMs
  'timeout_idle', // a stream went silent for idleMs
  'timeout_total', // an attempt ran past totalMs
  'dns', // the host name did not resolve
  'connect', // connection refused or unreachable
  'tls', // TLS handshake or certificate failure
  'connection_reset', // the socket closed before a response
  'stream_cut', // the stream ended without [DONE] or a finish_reason
  'malformed_response', // body or chunk that is not the expected JSON
  'empty_response', // a well-formed answer with no content
  'context_length', // 400 because the prompt does not fit the model
  'content_filter', // 400 or finish_reason content_filter
  'auth', // 401/403: our key for that provider is wrong
  'client_error', // any other 4xx: the client's request is wrong
  'queue_timeout', // the request's deadline passed while it waited for a slot (maxConnections): our limit
  'assertion_failed', // a probe condition did not hold
  'canary_failed', // a probe's quality canary answered wrongly
  'internal', // our own failure preparing or sending the request (a bug, a resource limit): never the upstream's
] as const;

export type FailureType = (typeof failureTypes)[number];

export interface Failure {
  ok: false;
  type: FailureType;
  message: string;
  /** Upstream HTTP status when there was one. */
  status?: number | undefined;
  /** Parsed Retry-After (or x-ratelimit-reset-*) in milliseconds. */
  retryAfterMs?: number | undefined;
  /** The upstream's error body, when it sent one (OpenAI shape), for passing client errors through. */
  body?: unknown;
}

export const failure = (
  type: FailureType,
  message: string,
  extra: Partial<Omit<Failure, 'ok' | 'type' | 'message'>> = {},
): Failure => ({
  ok: false,
  type,
  message,
  ...extra,
});
