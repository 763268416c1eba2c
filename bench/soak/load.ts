import { Agent, request } from 'undici';

export interface Window {
  sent: number;
  ok: number;
  errors: number;
  latenciesMs: number[];
}

export interface OpenLoop {
  /** Counters since the previous call (one sampling window). */
  take(): Window;
  totals(): {
    sent: number;
    ok: number;
    errors: number;
    errorSamples: string[];
    byStatus: Record<string, number>;
  };
  stop(): Promise<void>;
}

/**
 * Open-loop load (arrivals do not wait for answers, like real clients): `rps` requests per second, every
 * other one streamed, through one keep-alive pool. An error is anything a client would see as one: a
 * non-200, a transport error, or a stream that does not end with `data: [DONE]`.
 */
export function startOpenLoop(
  url: string,
  { rps, model = 'sim-small' }: { rps: number; model?: string },
): OpenLoop {
  const agent = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
  let window: Window = { sent: 0, ok: 0, errors: 0, latenciesMs: [] };
  const totals = {
    sent: 0,
    ok: 0,
    errors: 0,
    errorSamples: [] as string[],
    byStatus: {} as Record<string, number>,
  };
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;
  const fail = (reason: string) => {
    window.errors += 1;
    totals.errors += 1;
    if (totals.errorSamples.length < 20) totals.errorSamples.push(reason);
  };
  const one = async () => {
    const stream = sequence % 2 === 0;
    sequence += 1;
    window.sent += 1;
    totals.sent += 1;
    const started = performance.now();
    try {
      const response = await request(`${url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'soak' }], stream }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await response.body.text();
      totals.byStatus[response.statusCode] = (totals.byStatus[response.statusCode] ?? 0) + 1;
      if (response.statusCode !== 200) fail(`${response.statusCode} ${text.slice(0, 160)}`);
      else if (stream && !text.includes('data: [DONE]')) fail('stream ended without [DONE]');
      else {
        window.ok += 1;
        totals.ok += 1;
      }
    } catch (error) {
      fail(`transport: ${(error as Error).message}`);
    }
    window.latenciesMs.push(performance.now() - started);
  };
  // A 10 ms tick sends the requests due so far, so the rate holds even when a tick runs late.
  const begun = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - begun) / 1000) * rps);
    while (totals.sent < due) {
      const promise = one();
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    }
  }, 10);
  return {
    take() {
      const taken = window;
      window = { sent: 0, ok: 0, errors: 0, latenciesMs: [] };
      return taken;
    },
    totals: () => totals,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      await agent.close();
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const num = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
