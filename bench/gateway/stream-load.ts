import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Open-loop load of long streamed requests: `rate` requests a second leave on schedule whatever the earlier
 * ones are doing, so `rate × stream duration` streams are in flight once it has ramped up. Each request's
 * time to first byte (first body byte: the first SSE event) and total time are measured; only requests
 * that start inside the measurement window count, so the ramp and the drain do not.
 */
export interface StreamLoadOptions {
  url: string;
  body: unknown;
  headers?: Record<string, string> | undefined;
  rate: number;
  /** Seconds at full rate before the window: at least one stream's duration, so in-flight is steady. */
  rampSeconds: number;
  windowSeconds: number;
  /** A request that has not ended this long after it started is an error. */
  timeoutMs: number;
  /** For TLS targets with a self-signed certificate. */
  ca?: Buffer | undefined;
  /** Called once a second while the window runs, with the streams in flight (for RSS sampling). */
  onSecond?: (inFlight: number) => void;
  /** Called as the window opens and closes (event-loop and CPU readings of the target). */
  onWindow?: (edge: 'open' | 'close') => void;
}

export interface StreamLoadResult {
  /** Requests started inside the window. */
  requests: number;
  /** Of those: connection errors, non-200 answers, streams that did not end with [DONE], timeouts. */
  errors: number;
  errorKinds: Record<string, number>;
  ttfbMs: Percentiles;
  totalMs: Percentiles;
  /** Streams in flight, sampled each second of the window: the median. */
  inFlight: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1)) };
}

const DONE = 'data: [DONE]';

export async function runStreamLoad(options: StreamLoadOptions): Promise<StreamLoadResult> {
  const target = new URL(options.url);
  const tls = target.protocol === 'https:';
  // Keep-alive and no socket cap: every stream gets its own connection, reused by later requests.
  const agent = tls
    ? new HttpsAgent({
        keepAlive: true,
        maxSockets: Number.POSITIVE_INFINITY,
        ...(options.ca ? { ca: options.ca } : {}),
      })
    : new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const send = tls ? httpsRequest : httpRequest;
  const payload = JSON.stringify(options.body);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    authorization: 'Bearer sk-bench',
    ...options.headers,
  };
  const ttfb: number[] = [];
  const total: number[] = [];
  const errorKinds: Record<string, number> = {};
  let counted = 0;
  let inFlight = 0;
  const inFlightSamples: number[] = [];
  let windowOpen = false;
  const pending = new Set<Promise<void>>();

  const fail = (kind: string, inWindow: boolean) => {
    if (inWindow) errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };

  const one = () =>
    new Promise<void>((resolve) => {
      const inWindow = windowOpen;
      if (inWindow) counted += 1;
      inFlight += 1;
      const started = performance.now();
      let first: number | undefined;
      let tail = '';
      let settled = false;
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight -= 1;
        if (error) fail(error, inWindow);
        else if (inWindow && first !== undefined) {
          ttfb.push(first - started);
          total.push(performance.now() - started);
        }
        resolve();
      };
      const req = send(target, { method: 'POST', agent, headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on('end', () => finish(`status ${res.statusCode}`));
          return;
        }
        res.on('data', (chunk: Buffer) => {
          first ??= performance.now();
          tail = (tail + chunk.toString('latin1')).slice(-64);
        });
        res.on('end', () => finish(tail.includes(DONE) ? undefined : 'no [DONE]'));
        res.on('error', () => finish('cut'));
        res.on('close', () => finish('cut'));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish('timeout');
      }, options.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
      req.end(payload);
    });

  const started = performance.now();
  const rampEnd = started + options.rampSeconds * 1000;
  const windowEnd = rampEnd + options.windowSeconds * 1000;
  let launched = 0;
  let nextSecond = rampEnd + 1000;
  await new Promise<void>((resolve) => {
    // Requests leave on a 5 ms clock, as many as the schedule owes by then: a fixed rate in the long run.
    const tick = setInterval(() => {
      const now = performance.now();
      if (!windowOpen && now >= rampEnd && now < windowEnd) {
        windowOpen = true;
        options.onWindow?.('open');
      }
      if (windowOpen && now >= nextSecond) {
        nextSecond += 1000;
        inFlightSamples.push(inFlight);
        options.onSecond?.(inFlight);
      }
      if (now >= windowEnd) {
        clearInterval(tick);
        if (windowOpen) options.onWindow?.('close');
        windowOpen = false;
        resolve();
        return;
      }
      const due = Math.floor(((now - started) / 1000) * options.rate);
      for (; launched < due; launched += 1) {
        const promise = one();
        pending.add(promise);
        void promise.then(() => pending.delete(promise));
      }
    }, 5);
  });
  await Promise.all(pending);
  agent.destroy();
  const errors = Object.values(errorKinds).reduce((sum, count) => sum + count, 0);
  const samples = [...inFlightSamples].sort((a, b) => a - b);
  return {
    requests: counted,
    errors,
    errorKinds,
    ttfbMs: percentiles(ttfb),
    totalMs: percentiles(total),
    inFlight: samples[Math.floor(samples.length / 2)] ?? 0,
  };
}
