import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startPagerDuty } from '../fakes/pagerduty.ts';
import { alertGroup, startAnalyzer } from './harness.ts';

/** The incident notifiers through the real outbox: its retries, Retry-After and ordering. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function setUp(outbox: Record<string, number> = {}) {
  const pagerduty = await startPagerDuty();
  cleanups.push(pagerduty.close);
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const analyzer = await startAnalyzer({
    now: () => clock,
    analyzer: {
      notify: [{ type: 'pagerduty', routingKey: 'k'.repeat(32), url: pagerduty.url }],
      outbox: { baseDelayMs: 60_000, maxDelayMs: 60_000, ...outbox },
    },
  });
  cleanups.push(analyzer.stop);
  const advance = (ms: number) => {
    clock += ms;
  };
  return { pagerduty, analyzer, advance };
}
const dedupKeyOf = (groupKey: string) => createHash('sha256').update(groupKey).digest('hex');

/** Every outbox row as `state:lastError`, oldest analysis first, read through the API. */
async function outboxRows(analyzer: Awaited<ReturnType<typeof startAnalyzer>>) {
  const analyses = (await analyzer.analyses()).reverse();
  const details = await Promise.all(
    analyses.map(
      async (a) =>
        (await (await fetch(`${analyzer.url}/api/analyses/${a.id}`)).json()) as {
          notifications: { state: string; lastError: string | null }[];
        },
    ),
  );
  return details.flatMap((d) => d.notifications.map((n) => `${n.state}:${n.lastError ?? ''}`));
}

describe('incident notifiers through the outbox', () => {
  it("waits out PagerDuty's Retry-After before sending again", async () => {
    const { pagerduty, analyzer, advance } = await setUp({ baseDelayMs: 10, maxDelayMs: 10 });
    pagerduty.failNext(1, 429, '30');
    const first = '{}/{}:{alertname="ProviderErrors"}';
    await analyzer.post(alertGroup({ groupKey: first }));
    // The clock moves only once the outbox has recorded the 429 (and so computed when to retry).
    await expect.poll(() => outboxRows(analyzer)).toEqual(['pending:rate_limited: HTTP 429']);
    // 29 s later a second group goes out: the worker has run since, and the first is still waiting.
    advance(29_000);
    const second = '{}/{}:{alertname="Other"}';
    await analyzer.post(alertGroup({ groupKey: second, alertname: 'Other' }));
    await expect.poll(() => outboxRows(analyzer)).toEqual(['pending:rate_limited: HTTP 429', 'delivered:']);
    advance(2_000);
    await expect.poll(() => outboxRows(analyzer)).toEqual(['delivered:rate_limited: HTTP 429', 'delivered:']);
    expect(pagerduty.accepted().map((e) => e.dedup_key)).toEqual([dedupKeyOf(second), dedupKeyOf(first)]);
    expect(pagerduty.received.map((r) => r.status)).toEqual([429, 202, 202]);
  });

  it('does not reopen the incident when the firing explanation is retried after the resolution went out', async () => {
    const { pagerduty, analyzer, advance } = await setUp();
    const groupKey = '{}/{}:{alertname="ProviderErrors"}';
    pagerduty.failNext(1, 503);
    await analyzer.post(alertGroup({ groupKey }));
    await expect.poll(() => outboxRows(analyzer)).toEqual(['pending:server_error: HTTP 503']);
    await analyzer.post(alertGroup({ groupKey, status: 'resolved' }));
    await expect.poll(() => outboxRows(analyzer)).toEqual(['pending:server_error: HTTP 503', 'delivered:']);
    advance(61_000); // the firing row's retry is due: it is out of date, so it is dropped, not sent
    await expect.poll(() => outboxRows(analyzer)).toEqual(['delivered:server_error: HTTP 503', 'delivered:']);
    expect(pagerduty.received.map((r) => r.event.event_action)).toEqual(['trigger', 'resolve']);
    expect(pagerduty.incidents.filter((i) => i.dedupKey === dedupKeyOf(groupKey))).toEqual([]);
  });
});
