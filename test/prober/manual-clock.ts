import type { Timers } from '../../src/prober/scheduler.ts';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

/** An injected clock and timers: `advance` fires due timers in time order and lets promises settle between. */
export function createManualClock(start = 1_000_000) {
  let time = start;
  let seq = 0;
  const pending = new Set<Pending>();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const timers: Timers = {
    setTimeout(callback, ms) {
      const handle = { at: time + Math.max(0, ms), seq: seq++, callback };
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle as Pending);
    },
  };
  return {
    now: () => time,
    timers,
    pending: () => pending.size,
    settle,
    async advance(ms: number) {
      const end = time + ms;
      for (;;) {
        const due = [...pending].filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        pending.delete(due);
        time = due.at;
        due.callback();
        await settle();
      }
      time = end;
      await settle();
    },
  };
}
