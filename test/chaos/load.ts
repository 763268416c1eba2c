import { readFileSync } from 'node:fs';

export interface LoadResult {
  requests: number;
  errors: string[];
  latenciesMs: number[];
}

/**
 * Closed-loop load: `concurrency` workers send chat requests back to back (every other one streamed) until
 * `durationMs` has passed, pacing each worker to at most `perWorkerRps`. An error is any non-200, a
 * thrown fetch, or a stream that does not end with [DONE].
 */
export interface LoadOptions {
  durationMs: number;
  concurrency?: number;
  perWorkerRps?: number;
  model?: string;
  headers?: Record<string, string>;
}

export async function drive(
  url: string,
  { durationMs, concurrency = 2, perWorkerRps = 10, model = 'sim-small', headers = {} }: LoadOptions,
): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, errors: [], latenciesMs: [] };
  const end = performance.now() + durationMs;
  const gap = 1000 / perWorkerRps;
  const worker = async (id: number) => {
    let index = 0;
    while (performance.now() < end) {
      const started = performance.now();
      const stream = (index + id) % 2 === 0;
      index += 1;
      try {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
        });
        const text = await response.text();
        if (response.status !== 200) result.errors.push(`${response.status} ${text.slice(0, 200)}`);
        else if (stream && !text.includes('data: [DONE]')) result.errors.push(`stream without [DONE]`);
      } catch (error) {
        result.errors.push(String((error as Error).cause ?? error));
      }
      result.requests += 1;
      const elapsed = performance.now() - started;
      result.latenciesMs.push(elapsed);
      if (elapsed < gap) await new Promise((done) => setTimeout(done, gap - elapsed));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  return result;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
