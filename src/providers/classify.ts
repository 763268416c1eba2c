import { redactSecrets } from '../log/index.ts';
import { type Failure, type FailureType, failure } from './failure.ts';
import { type HeaderSource, parseRetryAfter } from './retry-after.ts';

/**
 * The one failure classifier for every outbound call: the gateway's providers, both probe kinds and the
 * notifiers. The same fault gives the same class wherever it is seen, so dashboards and alerts that join
 * gateway, probe and notifier errors agree.
 *
 * `callee` says what was called: a model API (OpenAI-compatible: gateway providers, model probes, health
 * checks) or any other HTTP endpoint (an http probe, a notifier's receiver). Only the rows that read a
 * model API's own conventions depend on it.
 */
export type Callee = 'model' | 'http';

interface StatusRow {
  test: (status: number, callee: Callee) => boolean;
  type: FailureType;
}

/** HTTP status → failure class, first match wins, one reviewed row each. */
const statusTable: readonly StatusRow[] = [
  // Our credentials for that service are wrong or lack access; the request itself may be fine.
  { test: (s) => s === 401 || s === 403, type: 'auth' },
  // Quota or rate limit: the service is up and says when to come back. Never the same outage as a 5xx.
  { test: (s) => s === 429, type: 'rate_limited' },
  // 504: a proxy in front of the service gave up waiting for it; 408: the service gave up waiting on the
  // connection. Either way no answer started in time, as when our own first-token timer fires, and an
  // immediate retry would wait as long again. Not client_error: the request was not wrong, and a gateway
  // must not hand a 408 back to its client as if it were.
  { test: (s) => s === 408 || s === 504, type: 'timeout_first_token' },
  // Model APIs answer 503 (OpenAI: "engine overloaded") and 529 (Anthropic) for capacity, which a later
  // retry or another provider may have. Any other service's 503 is its own verdict that it is unavailable
  // (a health endpoint that is not ready), so there it is a server error.
  { test: (s, callee) => callee === 'model' && (s === 503 || s === 529), type: 'model_overloaded' },
  { test: (s) => s >= 500, type: 'server_error' },
  // Any other 4xx: the request is wrong (425 Too Early included: fetch never sends TLS early data). For a
  // model API it is refined from the error body below.
  { test: (s) => s >= 400, type: 'client_error' },
  // 1xx or 3xx as a final answer (a redirect we do not follow means a wrong base URL), or a 2xx the caller
  // found unusable: not an answer the API gives.
  { test: () => true, type: 'malformed_response' },
];

/** The class of a non-2xx status. A model API's error body refines it (see `classifyResponse`). */
export function classifyStatus(status: number, callee: Callee): FailureType {
  return statusTable.find((row) => row.test(status, callee))?.type ?? 'malformed_response';
}

const contextLengthPattern = /context[_ ]length|maximum context|context window|too many tokens/i;
const contentFilterPattern = /content[_ ]filter|content[_ ]policy|safety system/i;
const overloadedPattern = /overload/i;

interface ErrorBody {
  error?: { message?: unknown; code?: unknown; type?: unknown };
}

/** A model API's error object, as OpenAI shapes it (`{"error":{"message","type","code"}}`), if it is one. */
function errorSignature(body: unknown): { signature: string; message: string | undefined } {
  const error = (body as ErrorBody | undefined)?.error;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const message = typeof error?.message === 'string' ? error.message : undefined;
  return { signature: `${text(error?.code)} ${text(error?.type)} ${message ?? ''}`, message };
}

/**
 * What a model API's error body adds to its status: a 4xx that names the context window or a content
 * policy is that class (a bigger model may fit the prompt; the content is wrong everywhere), and a 5xx or
 * an in-band error event that says "overloaded" is capacity, like a 503.
 */
function refine(type: FailureType, signature: string): FailureType {
  if (type === 'client_error' && contextLengthPattern.test(signature)) return 'context_length';
  if (type === 'client_error' && contentFilterPattern.test(signature)) return 'content_filter';
  if (type === 'server_error' && overloadedPattern.test(signature)) return 'model_overloaded';
  return type;
}

/**
 * Classifies a non-2xx answer from its status, headers and (bounded) body. The message goes to logs and
 * spans only (never to a client unless the class passes its body on), and providers put key fragments and
 * internals in it, so it is redacted.
 */
export function classifyResponse(
  status: number,
  headers: HeaderSource,
  bodyText: string,
  now: () => number = Date.now,
  callee: Callee = 'model',
): Failure {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const { signature, message } = errorSignature(body);
  const byStatus = classifyStatus(status, callee);
  const type = callee === 'model' ? refine(byStatus, signature) : byStatus;
  const shown = message ?? bodyText.slice(0, 200);
  return failure(type, `upstream answered ${status}: ${redactSecrets(shown) || 'no body'}`, {
    status,
    retryAfterMs: parseRetryAfter(headers, now),
    body,
  });
}

/**
 * An in-band error event in a model API's stream (`data: {"error":{...}}`): the server failed after it
 * started answering. Capacity when it says so (Anthropic streams send `overloaded_error` mid-answer).
 */
export function classifyErrorEvent(event: unknown): Failure {
  const { signature, message } = errorSignature(event);
  const detail = message ? `: ${redactSecrets(message.slice(0, 300))}` : '';
  return failure(refine('server_error', signature), `upstream sent an error event${detail}`);
}

/** Network error code → failure class, for errors before or while an answer arrived. */
const networkTable: Readonly<Record<string, FailureType>> = {
  ENOTFOUND: 'dns', // no such host (getaddrinfo's other EAI_* codes are matched by prefix)
  ECONNREFUSED: 'connect', // nothing listening
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  ENETDOWN: 'connect',
  EADDRNOTAVAIL: 'connect', // no local address or port to connect from
  UND_ERR_CONNECT_TIMEOUT: 'timeout_connect', // undici's own connect timeout
  UND_ERR_HEADERS_TIMEOUT: 'timeout_first_token',
  UND_ERR_BODY_TIMEOUT: 'timeout_idle',
  ECONNRESET: 'connection_reset', // the peer reset the socket
  EPIPE: 'connection_reset', // we wrote to a socket the peer had closed
  ECONNABORTED: 'connection_reset',
  // Our connect timers fire long before the kernel's, so its ETIMEDOUT is an established connection whose
  // retransmissions went unanswered: the connection was lost, not refused.
  ETIMEDOUT: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset', // "other side closed"
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection_reset', // the body ended before its declared length
  ERR_STREAM_PREMATURE_CLOSE: 'connection_reset', // the body stream closed without an error of its own
  // HTTP/2: the peer reset this stream (RST_STREAM), or the session failed or went away under it.
  ERR_HTTP2_STREAM_ERROR: 'connection_reset',
  ERR_HTTP2_SESSION_ERROR: 'connection_reset',
  ERR_HTTP2_GOAWAY_SESSION: 'connection_reset',
  UND_ERR_HEADERS_OVERFLOW: 'malformed_response', // headers beyond undici's limit
  UND_ERR_INFO: 'malformed_response',
  EPROTO: 'tls', // how Node reports some OpenSSL handshake failures
};

/**
 * The class of one error in a cause chain, or undefined when it does not come from the network or the
 * peer. System errors (`E…`), resolver errors (`EAI_…`), TLS codes, HTTP parser errors and the undici
 * transport codes above are the network's; an error without a code (a RangeError from serialising a body)
 * or with a local one (undici refusing our own arguments, a pool already closed) is ours.
 */
function networkClass(error: { name?: unknown; code?: unknown }): FailureType | undefined {
  // undici's HTTP parser reports a malformed status line or header without a code (its table lookup
  // misses), so its name is what says the peer does not speak HTTP.
  if (error.name === 'HTTPParserError') return 'malformed_response';
  // AbortSignal.timeout: the caller's whole-call deadline passed.
  if (error.name === 'TimeoutError') return 'timeout_total';
  const code = error.code;
  if (typeof code !== 'string' || code === '') return undefined;
  if (Object.hasOwn(networkTable, code)) return networkTable[code];
  if (code.startsWith('EAI_')) return 'dns';
  if (/^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'tls';
  if (code.startsWith('HPE_')) return 'malformed_response';
  // A system error we have no row for happened on the socket.
  if (/^E[A-Z0-9]+$/.test(code)) return 'connection_reset';
  return undefined;
}

/** Once an answer had started, losing the connection cuts it: the peer went away mid-answer. */
const cutMidStream = new Set<FailureType>(['connection_reset']);

/**
 * Classifies a thrown error (undici, fetch, node:http, node:net), walking `cause` because fetch wraps
 * the real error in a TypeError. `midStream` (the answer's headers had arrived) turns a lost connection
 * into a cut stream. An error that did not come from the network is `internal`: it says nothing about the
 * callee and never counts against it.
 */
export function classifyNetworkError(error: unknown, { midStream = false } = {}): Failure {
  let type: FailureType | undefined;
  for (let current = error, depth = 0; current && !type && depth < 8; depth += 1) {
    if (typeof current !== 'object') break;
    type = networkClass(current as { name?: unknown; code?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  const err = error as { message?: string; cause?: { message?: string } } | undefined;
  const message = err?.message ?? err?.cause?.message ?? String(error);
  if (!type) {
    const name = error instanceof Error ? error.name : typeof error;
    return failure('internal', `local ${name} while calling the upstream: ${message}`);
  }
  if (midStream && cutMidStream.has(type)) type = 'stream_cut';
  const cause = err?.cause?.message && err.cause.message !== message ? ` (${err.cause.message})` : '';
  return failure(type, `${message}${cause}`);
}
