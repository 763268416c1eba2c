/** Response headers as undici's `request` gives them (a record) or as fetch gives them (`Headers`). */
export type HeaderSource =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

const header = (headers: HeaderSource, name: string): string | undefined => {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * How long the server asked us to wait, in milliseconds: OpenAI's `retry-after-ms` first, then RFC 9110
 * `Retry-After` as delay-seconds or an HTTP date (a date in the past means now). Undefined when absent or
 * unparseable, so a garbled header never turns into a wait. Every outbound call reads it here: the
 * gateway's retries, the probes' classification and the notifiers' outbox.
 */
export function parseRetryAfter(headers: HeaderSource, now: () => number = Date.now): number | undefined {
  const precise = header(headers, 'retry-after-ms')?.trim();
  if (precise && /^\d+(\.\d+)?$/.test(precise)) return Number(precise);
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
