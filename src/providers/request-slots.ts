/**
 * The cap on requests in flight to one provider (`maxConnections`), with a visible queue behind it.
 *
 * The cap is kept here rather than left to undici's pool, whose queue cannot be seen or measured: a request
 * waiting for a slot has not reached the provider yet, so its provider timers must not run (a full pool is
 * not a slow first token), while the wait still counts against the request's own deadline (its signal).
 * Without a cap every request gets a slot at once and only the in-flight count is kept.
 */
export interface SlotUse {
  /** Milliseconds this request waited for its slot (0 when one was free). */
  waitedMs: number;
  release(): void;
}

export type SlotOutcome = ({ ok: true } & SlotUse) | { ok: false; waitedMs: number };

export interface SlotSnapshot {
  /** The configured cap, or null for none. */
  limit: number | null;
  /** Requests holding a slot (in flight to the provider). */
  active: number;
  /** Requests waiting for a slot. */
  queued: number;
}

export interface RequestSlots {
  /** A slot now, or after waiting; `ok: false` when the signal aborted first (the waiter is removed). */
  acquire(signal: AbortSignal | undefined): SlotOutcome | Promise<SlotOutcome>;
  snapshot(): SlotSnapshot;
}

export interface RequestSlotsOptions {
  limit: number | undefined;
  /** Called when a request has to wait while nobody else was waiting: the moment queueing starts. */
  onQueueStart?: (snapshot: SlotSnapshot) => void;
}

interface Waiter {
  grant(): void;
}

export function createRequestSlots({ limit, onQueueStart }: RequestSlotsOptions): RequestSlots {
  let active = 0;
  // A Set keeps arrival order and removes an aborted waiter in O(1), however long the queue.
  const waiting = new Set<Waiter>();
  const snapshot = (): SlotSnapshot => ({ limit: limit ?? null, active, queued: waiting.size });

  const release = () => {
    const next = waiting.values().next();
    if (next.done) {
      active -= 1;
      return;
    }
    // The slot passes straight to the oldest waiter: `active` stays the same.
    waiting.delete(next.value);
    next.value.grant();
  };
  const granted = (waitedMs: number): SlotOutcome => {
    let released = false;
    return {
      ok: true,
      waitedMs,
      release() {
        if (released) return;
        released = true;
        release();
      },
    };
  };

  return {
    acquire(signal) {
      if (limit === undefined || active < limit) {
        active += 1;
        return granted(0);
      }
      if (signal?.aborted) return { ok: false, waitedMs: 0 };
      const started = performance.now();
      if (waiting.size === 0) onQueueStart?.({ ...snapshot(), queued: 1 });
      return new Promise<SlotOutcome>((resolve) => {
        const waiter: Waiter = {
          grant() {
            signal?.removeEventListener('abort', onAbort);
            resolve(granted(performance.now() - started));
          },
        };
        const onAbort = () => {
          waiting.delete(waiter);
          resolve({ ok: false, waitedMs: performance.now() - started });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.add(waiter);
      });
    },
    snapshot,
  };
}
