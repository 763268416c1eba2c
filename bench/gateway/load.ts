import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  durationSeconds: number;
  connections: number;
  /** Fixed offered load (requests/s across connections); unset = as fast as possible. */
  rate?: number;
}

/** One autocannon run; latencies in milliseconds (autocannon corrects for coordinated omission at a fixed rate). */
export async function runLoad({
  url,
  body,
  headers = {},
  durationSeconds,
  connections,
  rate,
}: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...headers },
    body: JSON.stringify(body),
    duration: durationSeconds,
    connections,
    ...(rate ? { overallRate: rate } : {}),
    timeout: 30,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
