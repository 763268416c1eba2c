import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/index.ts';
import type { Explanation } from './categories.ts';
import { webhookSchema } from './payload.ts';
import { createAnalyzerStore, type Job } from './store.ts';

const group = (key: string) =>
  webhookSchema.parse({
    groupKey: key,
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'A' },
        startsAt: '2026-11-23T10:00:00Z',
        fingerprint: `f-${key}`,
      },
    ],
  });
const explanation: Explanation = {
  severity: 'warning',
  category: 'unknown',
  summary: 's',
  probableCause: 'c',
  evidence: [],
  actions: [],
  confidence: 0.2,
  source: 'rules',
};

function analyzeAll(store: ReturnType<typeof createAnalyzerStore>, at: number) {
  for (let job: Job | undefined = store.claimJob(at, 1000); job; job = store.claimJob(at, 1000))
    store.completeJob(
      job,
      {
        id: `a-${job.key}`,
        key: job.key,
        groupKey: job.group.groupKey,
        status: 'firing',
        createdAt: '',
        repeatOf: null,
        group: job.group,
        explanation: { ...explanation, evidence: [], actions: [] },
      },
      [{ index: 0, type: 'console' }],
      at,
    );
}

describe('analyzer store', () => {
  it('leases a job to one claimer until the lease expires', () => {
    const store = createAnalyzerStore(openDatabase(':memory:'));
    store.accept(group('g'), 1_000, 60_000);
    expect(store.claimJob(1_000, 500)?.key).toBeDefined();
    expect(store.claimJob(1_200, 500)).toBeUndefined();
    expect(store.claimJob(1_600, 500)?.key).toBeDefined(); // the first claimer died: its lease ran out
  });

  it('marks an outbox row delivered once, however many workers race for it', () => {
    const store = createAnalyzerStore(openDatabase(':memory:'));
    store.accept(group('g'), 1_000, 60_000);
    analyzeAll(store, 1_000);
    const [row] = store.claimOutbox(1_000, 1_000, 10);
    expect(store.markDelivered(row?.id ?? '', 1_001)).toBe(true);
    expect(store.markDelivered(row?.id ?? '', 1_002)).toBe(false);
    expect(store.claimOutbox(5_000, 1_000, 10)).toHaveLength(0);
  });

  it('prunes finished work past retention but keeps pending notifications', () => {
    const store = createAnalyzerStore(openDatabase(':memory:'));
    store.accept(group('old'), 1_000, 60_000);
    store.accept(group('pending'), 1_000, 60_000);
    analyzeAll(store, 1_000);
    const rows = store.claimOutbox(1_000, 10, 10);
    const old = rows.find(
      (row) => row.analysisId === `a-${store.analyses(10).find((a) => a.groupKey === 'old')?.key}`,
    );
    store.markDelivered(old?.id ?? '', 1_000);
    expect(store.prune(10_000, 1_000)).toBeGreaterThan(0);
    expect(store.analyses(10).map((a) => a.groupKey)).toEqual(['pending']);
    expect(store.pendingCount()).toBe(1);
  });
});
