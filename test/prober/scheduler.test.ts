import { describe, expect, it } from 'vitest';
import { createScheduler, offsetFor } from '../../src/prober/scheduler.ts';
import { createManualClock } from './manual-clock.ts';

/** Runs that stay in flight until released, counting how many overlap. */
function blockingRuns() {
  const releases: (() => void)[] = [];
  const counts = { active: 0, maxActive: 0 };
  const run = () => {
    counts.active += 1;
    counts.maxActive = Math.max(counts.maxActive, counts.active);
    return new Promise<void>((resolve) =>
      releases.push(() => {
        counts.active -= 1;
        resolve();
      }),
    );
  };
  return { run, releases, counts };
}

describe('scheduler', () => {
  it('spreads 600 targets across the interval instead of firing them together', async () => {
    const clock = createManualClock();
    const starts: number[] = [];
    const jobs = Array.from({ length: 600 }, (_, i) => ({ name: `target-${i}`, intervalMs: 60_000 }));
    const scheduler = createScheduler({
      jobs,
      run: async () => starts.push(clock.now()),
      now: clock.now,
      timers: clock.timers,
    });
    scheduler.start();
    await clock.advance(59_999);
    expect(starts).toHaveLength(600);
    // Six 10-second buckets each hold roughly a sixth: no thundering herd at t=0.
    const buckets = Array.from(
      { length: 6 },
      (_, b) => starts.filter((t) => Math.floor((t - 1_000_000) / 10_000) === b).length,
    );
    for (const count of buckets) expect(count).toBeGreaterThan(60);
    for (const count of buckets) expect(count).toBeLessThan(140);
    await scheduler.stop();
  });

  it('keeps the same offset per name across restarts', () => {
    expect(offsetFor('api-health', 60_000)).toBe(offsetFor('api-health', 60_000));
    expect(offsetFor('api-health', 60_000)).not.toBe(offsetFor('api-health-2', 60_000));
    expect(offsetFor('x', 15_000)).toBeLessThan(15_000);
  });

  it('runs each target once per interval on its slot', async () => {
    const clock = createManualClock();
    const starts: number[] = [];
    const scheduler = createScheduler({
      jobs: [{ name: 'a', intervalMs: 10_000 }],
      run: async () => starts.push(clock.now()),
      now: clock.now,
      timers: clock.timers,
    });
    scheduler.start();
    await clock.advance(50_000);
    expect(starts).toHaveLength(5);
    expect(starts.slice(1).map((t, i) => t - (starts[i] as number))).toEqual([
      10_000, 10_000, 10_000, 10_000,
    ]);
    await scheduler.stop();
  });

  it('never overlaps a run with itself: a slot that comes while it runs is skipped', async () => {
    const clock = createManualClock();
    const runs = blockingRuns();
    const { releases } = runs;
    const skipped: string[] = [];
    const scheduler = createScheduler({
      jobs: [{ name: 'slow', intervalMs: 1_000 }],
      run: runs.run,
      now: clock.now,
      timers: clock.timers,
      onSkip: (name) => skipped.push(name),
    });
    scheduler.start();
    await clock.advance(3_500);
    expect(runs.counts.maxActive).toBe(1);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    const joined = scheduler.runNow('slow'); // joins the run in flight instead of starting a second one
    expect(runs.counts.active).toBe(1);
    releases.shift()?.();
    await joined;
    await scheduler.stop();
  });

  it('lets runNow take the place of a queued slot of the same target', async () => {
    const clock = createManualClock();
    const runs: string[] = [];
    const skipped: string[] = [];
    const releases: (() => void)[] = [];
    const scheduler = createScheduler({
      jobs: [
        { name: 'a', intervalMs: 1_000 },
        { name: 'b', intervalMs: 1_000 },
      ],
      concurrency: 1,
      run: (name) => {
        runs.push(name);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      now: clock.now,
      timers: clock.timers,
      onSkip: (name) => skipped.push(name),
    });
    scheduler.start();
    await clock.advance(999);
    const waiting = runs[0] === 'a' ? 'b' : 'a';
    expect(scheduler.queued()).toBe(1);
    const manual = scheduler.runNow(waiting);
    expect(scheduler.queued()).toBe(0);
    await clock.settle();
    expect(scheduler.running()).toBe(2);
    releases.shift()?.();
    releases.shift()?.();
    await manual;
    await clock.settle();
    expect(runs.filter((name) => name === waiting)).toHaveLength(1);
    expect(skipped).toEqual([]);
    await scheduler.stop();
  });

  it('bounds concurrency and queues the rest in order', async () => {
    const clock = createManualClock();
    const runs = blockingRuns();
    const { releases } = runs;
    const jobs = Array.from({ length: 10 }, (_, i) => ({ name: `t${i}`, intervalMs: 100 }));
    const scheduler = createScheduler({
      jobs,
      concurrency: 3,
      run: runs.run,
      now: clock.now,
      timers: clock.timers,
    });
    scheduler.start();
    await clock.advance(99);
    expect(scheduler.running()).toBe(3);
    expect(scheduler.queued()).toBe(7);
    while (releases.length > 0) {
      releases.shift()?.();
      await clock.settle();
    }
    expect(runs.counts.maxActive).toBe(3);
    await scheduler.stop();
  });

  it('stops cleanly: clears timers, drops the queue and waits for runs in flight', async () => {
    const clock = createManualClock();
    let finished = false;
    let release = () => {};
    const scheduler = createScheduler({
      jobs: [
        { name: 'a', intervalMs: 1_000 },
        { name: 'b', intervalMs: 1_000 },
      ],
      concurrency: 1,
      run: () =>
        new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        }),
      now: clock.now,
      timers: clock.timers,
    });
    scheduler.start();
    await clock.advance(999);
    expect(scheduler.queued()).toBe(1);
    const stopping = scheduler.stop();
    expect(clock.pending()).toBe(0);
    expect(scheduler.queued()).toBe(0);
    release();
    await stopping;
    expect(finished).toBe(true);
  });

  it('reports lateness against the planned slot (jitter)', async () => {
    const clock = createManualClock();
    const late: number[] = [];
    const releases: (() => void)[] = [];
    const scheduler = createScheduler({
      jobs: [
        { name: 'a', intervalMs: 1_000 },
        { name: 'b', intervalMs: 1_000 },
      ],
      concurrency: 1,
      run: () => new Promise<void>((resolve) => releases.push(resolve)),
      now: clock.now,
      timers: clock.timers,
      onStart: (_name, ms) => late.push(ms),
    });
    const start = clock.now();
    scheduler.start();
    await clock.advance(999);
    expect(late).toEqual([0]);
    await clock.advance(200);
    releases.shift()?.(); // the second target waited for the only slot: it starts late
    await clock.settle();
    const secondSlot = start + Math.max(offsetFor('a', 1_000), offsetFor('b', 1_000));
    expect(late).toEqual([0, clock.now() - secondSlot]);
    releases.shift()?.();
    await scheduler.stop();
  });
});
