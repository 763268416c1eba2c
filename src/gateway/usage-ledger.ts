/**
 * Running totals of tokens and cost for GET /api/metrics, by client and by provider/model. Both key sets
 * are bounded: client names come from the configured keys, provider/model pairs from the target table.
 */
export interface UsageTotals {
  /** Answered upstream attempts counted (a failed-over request counts each attempt that consumed tokens). */
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  /** Attempts whose counts were estimated (no usage from the upstream). */
  estimated: number;
  costUsd: number;
}

export interface UsageEntry {
  client: string;
  /** `provider/model`, the target key. */
  target: string;
  input: number;
  output: number;
  estimated: boolean;
  costUsd: number | undefined;
}

export interface UsageLedger {
  add(entry: UsageEntry): void;
  snapshot(): {
    total: UsageTotals;
    byClient: Record<string, UsageTotals>;
    byModel: Record<string, UsageTotals>;
  };
}

const zero = (): UsageTotals => ({ attempts: 0, inputTokens: 0, outputTokens: 0, estimated: 0, costUsd: 0 });

function addTo(totals: UsageTotals, entry: UsageEntry): void {
  totals.attempts += 1;
  totals.inputTokens += entry.input;
  totals.outputTokens += entry.output;
  if (entry.estimated) totals.estimated += 1;
  totals.costUsd += entry.costUsd ?? 0;
}

export function createUsageLedger(): UsageLedger {
  const total = zero();
  const byClient = new Map<string, UsageTotals>();
  const byModel = new Map<string, UsageTotals>();
  const bucket = (map: Map<string, UsageTotals>, key: string) => {
    let totals = map.get(key);
    if (!totals) {
      totals = zero();
      map.set(key, totals);
    }
    return totals;
  };
  const rounded = (totals: UsageTotals): UsageTotals => ({
    ...totals,
    // Micro-dollars: sums of small floats otherwise print as 0.30000000000000004.
    costUsd: Math.round(totals.costUsd * 1e6) / 1e6,
  });
  return {
    add(entry) {
      addTo(total, entry);
      addTo(bucket(byClient, entry.client), entry);
      addTo(bucket(byModel, entry.target), entry);
    },
    snapshot: () => ({
      total: rounded(total),
      byClient: Object.fromEntries([...byClient].map(([key, totals]) => [key, rounded(totals)])),
      byModel: Object.fromEntries([...byModel].map(([key, totals]) => [key, rounded(totals)])),
    }),
  };
}
