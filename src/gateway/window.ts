/**
 * Counts events over a sliding window of whole seconds with a fixed ring of per-second buckets: O(1) per
 * record and bounded memory at any request rate. Time comes from the caller (injected clock).
 */
export interface WindowCounter {
  add(field: 'total' | 'failures', now: number): void;
  totals(now: number): { total: number; failures: number };
  clear(): void;
}

export function createWindowCounter(windowSeconds: number): WindowCounter {
  const size = Math.max(1, Math.ceil(windowSeconds));
  const seconds = new Array<number>(size).fill(-1);
  const total = new Array<number>(size).fill(0);
  const failures = new Array<number>(size).fill(0);

  const bucket = (now: number) => {
    const second = Math.floor(now / 1000);
    const index = second % size;
    if (seconds[index] !== second) {
      seconds[index] = second;
      total[index] = 0;
      failures[index] = 0;
    }
    return index;
  };

  return {
    add(field, now) {
      const index = bucket(now);
      if (field === 'total') total[index] = (total[index] ?? 0) + 1;
      else failures[index] = (failures[index] ?? 0) + 1;
    },
    totals(now) {
      const current = Math.floor(now / 1000);
      let sumTotal = 0;
      let sumFailures = 0;
      for (let index = 0; index < size; index += 1) {
        const second = seconds[index] ?? -1;
        if (second > current - size && second <= current) {
          sumTotal += total[index] ?? 0;
          sumFailures += failures[index] ?? 0;
        }
      }
      return { total: sumTotal, failures: sumFailures };
    },
    clear() {
      seconds.fill(-1);
    },
  };
}
