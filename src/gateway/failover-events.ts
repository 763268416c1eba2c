import type { EventBus, FailoverEvent } from '../events/index.ts';

/** A failover as the chain reports it; `count` is the coalescer's to fill. */
export type FailoverReport = Omit<FailoverEvent, 'type' | 'count'>;

export interface FailoverEvents {
  publish(report: FailoverReport): void;
  /** Publishes what is still held back and stops the timers (gateway shutdown). */
  flush(): void;
}

export interface FailoverEventsOptions {
  bus: EventBus;
  /** At most one `failover` event per from/to/reason in this many milliseconds. */
  windowMs?: number;
  /** Schedules the end of a window; returns its cancel. Injected by tests that drive time themselves. */
  setTimer?: (fire: () => void, ms: number) => () => void;
}

const realTimer = (fire: () => void, ms: number) => {
  const timer = setTimeout(fire, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Window {
  /** Failovers seen since the window opened and not yet published. */
  held: number;
  latest: FailoverReport | undefined;
  cancel: () => void;
}

/**
 * Coalesces `failover` bus events per from/to/reason. While a breaker is open every request is passed over
 * it, so one event (and, through the bus, one OTel log record and one WebSocket frame) per request would
 * flood every subscriber with copies of one fact. The first failover of a pair goes out at once; the
 * rest within the window are held and published together when it ends, as one event carrying their
 * `count` and the latest request's trace. The failover counter and the request span's event stay per
 * request: they are where each request is accounted for.
 */
export function createFailoverEvents({
  bus,
  windowMs = 1_000,
  setTimer = realTimer,
}: FailoverEventsOptions): FailoverEvents {
  const windows = new Map<string, Window>();
  const emit = (report: FailoverReport, count: number) =>
    bus.publish({ type: 'failover', ...report, chain: [...report.chain], count });

  const open = (key: string) => {
    const window: Window = { held: 0, latest: undefined, cancel: () => {} };
    window.cancel = setTimer(() => close(key, window), windowMs);
    windows.set(key, window);
  };
  // A window that held failovers publishes them and opens the next one, so a steady stream yields one
  // event per window; a quiet window just ends, and the next failover goes out at once again.
  const close = (key: string, window: Window) => {
    windows.delete(key);
    if (window.held === 0 || !window.latest) return;
    emit(window.latest, window.held);
    open(key);
  };

  return {
    publish(report) {
      // JSON keeps the three parts apart whatever characters a provider name holds.
      const key = JSON.stringify([report.from, report.to, report.reason]);
      const window = windows.get(key);
      if (window) {
        window.held += 1;
        window.latest = report;
        return;
      }
      emit(report, 1);
      open(key);
    },
    flush() {
      for (const [key, window] of [...windows]) {
        window.cancel();
        windows.delete(key);
        if (window.held > 0 && window.latest) emit(window.latest, window.held);
      }
    },
  };
}
