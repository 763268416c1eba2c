import { redactSecrets } from '../log/index.ts';
import { type Failure, type FailureType, failure } from './failure.ts';

/** HTTP status → failure class, before the body is consulted. One row per status family. */
const statusTable: [test: (status: number) => boolean, type: FailureType][] = [
  [(s) => s === 401 || s === 403, 'auth'], // our key for that provider is wrong or lacks access
  [(s) => s === 429, 'rate_limited'], // quota or rate limit; Retry-After says when
  [(s) => s === 503 || s === 529, 'model_overloaded'], // capacity, not an outage (529: Anthropic-style)
  [(s) => s === 408 || s === 504, 'timeout_first_token'], // the upstream's own proxy gave up waiting
  [(s) => s >= 500, 'server_error'],
  [(s) => s >= 400, 'client_error'], // refined below from the error body
];

const contextLengthPattern = /context[_ ]length|maximum context|context window|too many tokens/i;
const contentFilterPattern = /content[_ ]filter|content[_ ]policy|safety system/i;
const overloadedPattern = /overloaded/i;

interface ErrorBody {
  error?: { message?: unknown; code?: unknown; type?: unknown };
}

/** Classifies a non-2xx upstream response from its status, headers and (bounded) body. */
export function classifyResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  now: () => number = Date.now,
): Failure {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as ErrorBody | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : bodyText.slice(0, 200);
  const signature = `${code} ${typeof error?.type === 'string' ? error.type : ''} ${message}`;
  let type = statusTable.find(([test]) => test(status))?.[1] ?? 'server_error';
  if (type === 'client_error' && contextLengthPattern.test(signature)) type = 'context_length';
  else if (type === 'client_error' && contentFilterPattern.test(signature)) type = 'content_filter';
  else if (type === 'server_error' && overloadedPattern.test(signature)) type = 'model_overloaded';
  // The message goes to logs and spans only (never to a client unless the class passes its body on), and
  // providers put key fragments and internals in it.
  return failure(type, `upstream answered ${status}: ${redactSecrets(message) || 'no body'}`, {
    status,
    retryAfterMs: parseRetryAfter(headers, now),
    body,
  });
}

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Retry-After in milliseconds: OpenAI's `retry-after-ms` first, then RFC 9110 `Retry-After` as seconds or
 * an HTTP date. Undefined when absent or unparseable.
 */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now: () => number = Date.now,
): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** Network error code → failure class, for errors before or while a response arrived. */
const networkTable: Record<string, FailureType> = {
  UND_ERR_CONNECT_TIMEOUT: 'timeout_connect',
  UND_ERR_HEADERS_TIMEOUT: 'timeout_first_token',
  UND_ERR_BODY_TIMEOUT: 'timeout_idle',
  UND_ERR_SOCKET: 'connection_reset', // "other side closed"
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection_reset', // the body ended before its declared length
  UND_ERR_HEADERS_OVERFLOW: 'malformed_response', // the upstream's headers exceed undici's limit
  UND_ERR_INFO: 'malformed_response',
  ERR_STREAM_PREMATURE_CLOSE: 'connection_reset', // the body stream closed without an error of its own
  ECONNRESET: 'connection_reset',
  // HTTP/2: the peer reset this stream (RST_STREAM), or the session failed or went away under it.
  ERR_HTTP2_STREAM_ERROR: 'connection_reset',
  ERR_HTTP2_SESSION_ERROR: 'connection_reset',
  ERR_HTTP2_GOAWAY_SESSION: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNREFUSED: 'connect',
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
};

/**
 * The class of a thrown error's code, or undefined when the code does not come from the network or the
 * peer. System errors (`E…`), TLS codes, HTTP parser errors (`HPE_…`) and the undici transport codes
 * above are the network's; an error without a code (a RangeError from serialising a body, a TypeError)
 * or with a local one (undici refusing our own arguments, a pool already closed) is ours.
 */
function networkClass(code: string | undefined): FailureType | undefined {
  if (!code) return undefined;
  if (Object.hasOwn(networkTable, code)) return networkTable[code];
  if (/^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'tls';
  if (code.startsWith('HPE_')) return 'malformed_response';
  if (/^E[A-Z0-9]+$/.test(code)) return 'connection_reset';
  return undefined;
}

/**
 * Classifies a thrown error (undici or node:net). `midStream` turns a mid-body reset into a cut. An error
 * that did not come from the network is `internal`: it says nothing about the upstream.
 */
export function classifyNetworkError(error: unknown, { midStream = false } = {}): Failure {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code && err.code !== 'UND_ERR' ? err.code : err?.cause?.code;
  let type = networkClass(code) ?? 'internal';
  if (midStream && type === 'connection_reset') type = 'stream_cut';
  const message = err?.message ?? err?.cause?.message ?? String(error);
  if (type === 'internal') {
    const name = error instanceof Error ? error.name : typeof error;
    return failure(type, `local ${name} while calling the upstream: ${message}`);
  }
  return failure(type, message);
}
