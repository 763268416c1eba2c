import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** What went wrong, when the generator says (vegeta: each distinct error once). */
  errorMessages?: string[];
}

export interface LoadOptions {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  durationSeconds: number;
  connections: number;
}

/**
 * One closed-loop autocannon run (`connections` requests in flight, each sent as soon as the previous
 * answered): the maximum-throughput scenarios. Fixed-rate latency runs use vegeta.ts instead (why: there).
 */
export async function runLoad({
  url,
  body,
  headers = {},
  durationSeconds,
  connections,
}: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...headers },
    body: JSON.stringify(body),
    duration: durationSeconds,
    connections,
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
