/** The two timer calls the scheduler needs; tests pass a manual clock, production the global timers. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Job {
  name: string;
  intervalMs: number;
}

export interface SchedulerOptions {
  jobs: readonly Job[];
  run: (name: string) => Promise<unknown>;
  now?: () => number;
  timers?: Timers;
  /** Checks running at once; the rest wait in FIFO order. */
  concurrency?: number;
  /** Called as each run starts, with how late it is against its slot (schedule jitter). */
  onStart?: (name: string, lateMs: number) => void;
  /** Called when a slot is skipped because the previous run of that job is still going. */
  onSkip?: (name: string) => void;
}

export interface Scheduler {
  start(): void;
  /** Stops arming timers, drops queued runs, waits for in-flight ones. */
  stop(): Promise<void>;
  /** Runs a job now unless it is already running (then joins that run): never two at once. */
  runNow(name: string): Promise<unknown>;
  running(): number;
  queued(): number;
}

/** FNV-1a: a stable, well-spread offset per name, so restarts keep each target's slot (no thundering herd). */
export function offsetFor(name: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash % Math.max(1, Math.floor(intervalMs));
}

interface Slot extends Job {
  nextDue: number;
  timer?: unknown;
  inFlight?: Promise<unknown> | undefined;
  queued: boolean;
}

export function createScheduler({
  jobs,
  run,
  now = Date.now,
  timers = systemTimers,
  concurrency = 64,
  onStart = () => {},
  onSkip = () => {},
}: SchedulerOptions): Scheduler {
  const slots = new Map<string, Slot>(jobs.map((job) => [job.name, { ...job, nextDue: 0, queued: false }]));
  const waiting: { slot: Slot; planned: number }[] = [];
  let active = 0;
  let stopped = true;

  const execute = (slot: Slot, planned: number): Promise<unknown> => {
    active += 1;
    onStart(slot.name, Math.max(0, now() - planned));
    const result = Promise.resolve().then(() => run(slot.name));
    slot.inFlight = result;
    result
      .catch(() => undefined)
      .finally(() => {
        active -= 1;
        slot.inFlight = undefined;
        drain();
      });
    return result;
  };

  const drain = () => {
    while (!stopped && active < concurrency && waiting.length > 0) {
      const next = waiting.shift() as { slot: Slot; planned: number };
      next.slot.queued = false;
      // A manual run (runNow) may have started while this slot waited: never two at once.
      if (next.slot.inFlight) onSkip(next.slot.name);
      else execute(next.slot, next.planned);
    }
  };

  const fire = (slot: Slot) => {
    if (stopped) return;
    const planned = slot.nextDue;
    // Re-arm from the plan, not from when the run ends, so a slow run never shifts later slots. The slot
    // is consumed even when `now()` reads a hair early (wall clock vs the timers' monotonic clock).
    do slot.nextDue += slot.intervalMs;
    while (slot.nextDue <= now());
    arm(slot);
    if (slot.inFlight || slot.queued) return onSkip(slot.name);
    slot.queued = true;
    waiting.push({ slot, planned });
    drain();
  };

  const arm = (slot: Slot) => {
    slot.timer = timers.setTimeout(() => fire(slot), Math.max(0, slot.nextDue - now()));
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      const startedAt = now();
      for (const slot of slots.values()) {
        slot.nextDue = startedAt + offsetFor(slot.name, slot.intervalMs);
        arm(slot);
      }
    },
    async stop() {
      stopped = true;
      for (const slot of slots.values()) {
        timers.clearTimeout(slot.timer);
        slot.queued = false;
      }
      waiting.length = 0;
      await Promise.all([...slots.values()].map((slot) => slot.inFlight?.catch(() => undefined)));
    },
    runNow(name) {
      const slot = slots.get(name);
      if (!slot) return Promise.reject(new Error(`unknown target "${name}"`));
      if (slot.inFlight) return slot.inFlight;
      // A manual run satisfies a slot already waiting in the queue.
      const index = waiting.findIndex((entry) => entry.slot === slot);
      if (index !== -1) waiting.splice(index, 1);
      slot.queued = false;
      return execute(slot, now());
    },
    running: () => active,
    queued: () => waiting.length,
  };
}
