import { describe, expect, it } from 'vitest';
import { createRequestSlots, type SlotOutcome } from './request-slots.ts';

describe('createRequestSlots', () => {
  it('grants every request at once without a cap, counting them', async () => {
    const slots = createRequestSlots({ limit: undefined });
    const held = await Promise.all(Array.from({ length: 1000 }, () => slots.acquire(undefined)));
    expect(held.every((slot) => slot.ok && slot.waitedMs === 0)).toBe(true);
    expect(slots.snapshot()).toEqual({ limit: null, active: 1000, queued: 0 });
    for (const slot of held) if (slot.ok) slot.release();
    expect(slots.snapshot().active).toBe(0);
  });

  it('queues beyond the cap in arrival order and hands a freed slot to the oldest waiter', async () => {
    const starts: number[] = [];
    const slots = createRequestSlots({ limit: 1, onQueueStart: (snapshot) => starts.push(snapshot.queued) });
    const first = (await slots.acquire(undefined)) as Extract<SlotOutcome, { ok: true }>;
    const order: string[] = [];
    const second = Promise.resolve(slots.acquire(undefined)).then((slot) => {
      order.push('second');
      return slot;
    });
    const third = Promise.resolve(slots.acquire(undefined)).then((slot) => {
      order.push('third');
      return slot;
    });
    expect(slots.snapshot()).toEqual({ limit: 1, active: 1, queued: 2 });
    expect(starts).toEqual([1]);
    first.release();
    first.release(); // a second release of the same slot changes nothing
    const granted = await second;
    expect(slots.snapshot()).toEqual({ limit: 1, active: 1, queued: 1 });
    if (granted.ok) granted.release();
    await third;
    expect(order).toEqual(['second', 'third']);
  });

  it('removes a waiter whose signal aborts, with how long it waited', async () => {
    const slots = createRequestSlots({ limit: 1 });
    await slots.acquire(undefined);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort();
    const outcome = await waiting;
    expect(outcome.ok).toBe(false);
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(0);
    expect(slots.snapshot()).toEqual({ limit: 1, active: 1, queued: 0 });
    expect(await slots.acquire(AbortSignal.abort())).toEqual({ ok: false, waitedMs: 0 });
  });
});
