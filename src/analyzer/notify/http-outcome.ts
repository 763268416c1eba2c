import type { SendOutcome } from './types.ts';

/** HTTP status → delivery decision, one row per class (as Alertmanager's notify/util.go Retrier). */
const statusTable: readonly [test: (status: number) => boolean, retryable: boolean | null][] = [
  [(s) => s >= 200 && s < 300, null], // delivered
  [(s) => s === 408 || s === 425 || s === 429, true], // timeout / too early / rate limited: try later
  [(s) => s >= 500, true], // receiver trouble: try later
  [(s) => s >= 400, false], // our payload or credentials are wrong: retrying will not help
];

export function outcomeOf(response: Response, now: () => number): SendOutcome {
  const row = statusTable.find(([test]) => test(response.status));
  if (!row || row[1] === null)
    return row ? { ok: true } : { ok: false, retryable: false, reason: `HTTP ${response.status}` };
  return {
    ok: false,
    retryable: row[1],
    reason: `HTTP ${response.status}`,
    retryAfterMs: retryAfter(response.headers.get('retry-after'), now),
  };
}

function retryAfter(header: string | null, now: () => number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now()) : undefined;
}

/** Posts JSON; network errors and timeouts are retryable. */
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
    return {
      ok: false,
      retryable: true,
      reason:
        (error as Error).name === 'TimeoutError'
          ? 'timeout'
          : `network: ${(error as Error).message}`.slice(0, 200),
    };
  }
}
