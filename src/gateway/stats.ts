/**
 * Recent-history statistics for the operator API and the status page: a fixed ring of the last N samples,
 * so memory stays flat at any traffic and percentiles are computed only when someone asks.
 */
export interface Stats {
  record(latencyMs: number, ok: boolean): void;
  snapshot(): { count: number; successRatio: number | null; p50Ms: number | null; p99Ms: number | null };
}

export function createStats(size = 512): Stats {
  const latencies = new Float64Array(size);
  const outcomes = new Uint8Array(size);
  let next = 0;
  let filled = 0;
  return {
    record(latencyMs, ok) {
      latencies[next] = latencyMs;
      outcomes[next] = ok ? 1 : 0;
      next = (next + 1) % size;
      filled = Math.min(filled + 1, size);
    },
    snapshot() {
      if (filled === 0) return { count: 0, successRatio: null, p50Ms: null, p99Ms: null };
      const sorted = Array.from(latencies.subarray(0, filled)).sort((a, b) => a - b);
      let successes = 0;
      for (let index = 0; index < filled; index += 1) successes += outcomes[index] ?? 0;
      return {
        count: filled,
        successRatio: successes / filled,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
      };
    },
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[rank] ?? 0) * 100) / 100;
}
