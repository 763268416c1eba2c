import {
  classifyNetworkError,
  classifyStatus,
  type Failure,
  type FailureType,
  parseRetryAfter,
} from '../../providers/index.ts';
import type { SendOutcome } from './types.ts';

/**
 * Failure class → whether a notification is tried again later, one reviewed row each (as Alertmanager's
 * notify/util.go Retrier). The classes are the shared ones, so a receiver's outage reads the same in the
 * outbox as a provider's in the gateway.
 */
export const retryNotification = {
  rate_limited: true, // throttled: Retry-After says when
  server_error: true, // the receiver's trouble
  model_overloaded: true, // never from a receiver (not a model API); capacity if it were
  timeout_connect: true,
  timeout_first_token: true, // 408/504: nothing answered in time
  timeout_idle: true,
  timeout_total: true, // our send timeout passed
  dns: true, // a resolver outage passes; a deleted host ends at giveUpAfterMs
  connect: true,
  tls: true, // a certificate being renewed passes; a wrong one ends at giveUpAfterMs
  connection_reset: true,
  stream_cut: true,
  malformed_response: false, // a redirect or a peer that does not speak HTTP: the URL is wrong
  empty_response: false, // a model answer's class: never a receiver's
  context_length: false,
  content_filter: false,
  auth: false, // the key or webhook URL is wrong or revoked: retrying will not fix it
  client_error: false, // the receiver refuses the payload
  assertion_failed: false, // probe classes: never a receiver's
  canary_failed: false,
  internal: false, // our own failure preparing the request: it would fail the same way again
  queue_timeout: false, // the gateway's wait for a provider's request slot: never a receiver's
} as const satisfies Record<FailureType, boolean>;

/** A failed delivery as an outcome: its class decides the retry, the detail goes to `lastError`. */
export const failedDelivery = (failed: Pick<Failure, 'type' | 'message' | 'retryAfterMs'>): SendOutcome => ({
  ok: false,
  retryable: retryNotification[failed.type],
  reason: failed.type,
  detail: failed.message.slice(0, 200),
  retryAfterMs: failed.retryAfterMs,
});

export function outcomeOf(response: Response, now: () => number): SendOutcome {
  if (response.status >= 200 && response.status < 300) return { ok: true };
  return failedDelivery({
    type: classifyStatus(response.status, 'http'),
    message: `HTTP ${response.status}`,
    retryAfterMs: parseRetryAfter(response.headers, now),
  });
}

/** Posts JSON; network errors and timeouts are classified like every other outbound call's. */
export async function postJson(
  url: string,
  body: unknown,
  deps: { fetch: typeof globalThis.fetch; signal: AbortSignal; now: () => number },
  headers: Record<string, string> = {},
): Promise<SendOutcome> {
  try {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
      signal: deps.signal,
    });
    await response.arrayBuffer().catch(() => undefined);
    return outcomeOf(response, deps.now);
  } catch (error) {
    return failedDelivery(classifyNetworkError(error));
  }
}
