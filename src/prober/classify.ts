import type { FailureType } from '../providers/failure.ts';

/**
 * Status → failure class for probes, first match wins, one row per rule. A 429 is capacity or quota,
 * never the same kind of outage as a 5xx, so it has its own class.
 */
const statusRules: readonly { test: (status: number) => boolean; type: FailureType }[] = [
  { test: (s) => s === 429, type: 'rate_limited' }, // quota or rate limit: the service is up
  { test: (s) => s === 401 || s === 403, type: 'auth' }, // our credentials are wrong
  { test: (s) => s >= 400 && s < 500, type: 'client_error' }, // the probe's request is wrong
  { test: (s) => s >= 500, type: 'server_error' }, // the service failed
];

/** Model endpoints say "overloaded" with 503/529 (Anthropic, vLLM) or an error body; capacity, not an outage. */
const overloadStatuses = new Set([503, 529]);

export function classifyStatus(status: number, { model = false, body = '' } = {}): FailureType {
  if (model && (overloadStatuses.has(status) || /overloaded/i.test(body))) return 'model_overloaded';
  return statusRules.find((rule) => rule.test(status))?.type ?? 'assertion_failed';
}

/** Node/undici error codes → class. TLS codes are many; anything certificate-shaped is `tls`. */
const errorCodes: Record<string, FailureType> = {
  ENOTFOUND: 'dns', // no such host
  EAI_AGAIN: 'dns', // resolver unavailable
  EAI_NONAME: 'dns',
  ECONNREFUSED: 'connect', // nothing listening
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  EADDRNOTAVAIL: 'connect',
  ECONNRESET: 'connection_reset', // the peer closed the socket before answering
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CONNECT_TIMEOUT: 'timeout_connect', // undici's own connect timeout
  UND_ERR_HEADERS_TIMEOUT: 'timeout_first_token',
  HPE_INVALID_CONSTANT: 'malformed_response', // the peer does not speak HTTP
  HPE_INVALID_STATUS: 'malformed_response',
  HPE_INVALID_HEADER_TOKEN: 'malformed_response',
  UND_ERR_INFO: 'malformed_response',
};

/** Walks `error.cause` (fetch wraps the real error) and maps the first known code. */
export function classifyError(error: unknown): FailureType {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const known = errorCodes[code];
    if (known) return known;
    if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL)/.test(code)) return 'tls';
    if (code.startsWith('HPE_')) return 'malformed_response';
  }
  const message = String((error as Error)?.message ?? error);
  if (/certificate|ssl|tls/i.test(message)) return 'tls';
  return 'connect';
}

/** `expectStatus` entries: a code, a class like "2xx", or an inclusive range [200, 299]. */
export type StatusMatcher = number | string | readonly [number, number];

export function statusMatches(status: number, expected: readonly StatusMatcher[]): boolean {
  return expected.some((entry) => {
    if (typeof entry === 'number') return status === entry;
    if (typeof entry === 'string') return Math.floor(status / 100) === Number(entry[0]);
    return status >= entry[0] && status <= entry[1];
  });
}
