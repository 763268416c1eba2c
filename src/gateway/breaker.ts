import type { Config } from '../config/index.ts';
import type { BreakerState } from '../events/index.ts';
import { createWindowCounter } from './window.ts';

export type BreakerSettings = Config['circuitBreaker'];

export interface Transition {
  from: BreakerState;
  to: BreakerState;
  reason: string;
}

/** A pass through the breaker. Report exactly one outcome; `neutral` for results that say nothing about the target. */
export interface Permit {
  success(): void;
  failure(): void;
  neutral(): void;
}

export interface Breaker {
  /** Current state; an open breaker whose recovery time has passed reads (and becomes) half-open. */
  state(): BreakerState;
  /** A permit when a request may go through, undefined when the breaker refuses it. */
  acquire(): Permit | undefined;
  /** Milliseconds until an open breaker turns half-open (0 when not open). */
  retryAfterMs(): number;
  /** Forces a state (a synthetic probe's verdict while half-open). */
  settle(ok: boolean, reason: string): void;
}

/**
 * A three-state circuit breaker whose clock is a parameter: no timers, so tests
 * drive it with a fake `now`. Closed → open after `failureThreshold` consecutive failures, or when the
 * failure ratio over `windowSeconds` reaches `failureRatio` with at least `minimumRequests`; open →
 * half-open after `recoverySeconds`; half-open admits `halfOpenMaxRequests` trials: all succeed → closed,
 * one fails → open again.
 */
export function createBreaker(
  settings: BreakerSettings,
  {
    now = Date.now,
    onTransition = () => {},
  }: { now?: () => number; onTransition?: (t: Transition) => void } = {},
): Breaker {
  let current: BreakerState = 'closed';
  let openedAt = 0;
  let consecutive = 0;
  let generation = 0;
  let trialsAdmitted = 0;
  let trialsSucceeded = 0;
  const window = createWindowCounter(settings.windowSeconds);
  const recoveryMs = settings.recoverySeconds * 1000;

  const move = (to: BreakerState, reason: string) => {
    if (to === current) return;
    const from = current;
    current = to;
    generation += 1;
    trialsAdmitted = 0;
    trialsSucceeded = 0;
    consecutive = 0;
    if (to === 'open') openedAt = now();
    if (to === 'closed') window.clear();
    onTransition({ from, to, reason });
  };

  const state = () => {
    if (current === 'open' && now() - openedAt >= recoveryMs) move('half_open', 'recovery time elapsed');
    return current;
  };

  const onFailure = () => {
    if (current === 'half_open') return move('open', 'half-open trial failed');
    if (current !== 'closed') return;
    consecutive += 1;
    window.add('failures', now());
    if (consecutive >= settings.failureThreshold) {
      return move('open', `${consecutive} consecutive failures`);
    }
    const { total, failures } = window.totals(now());
    if (total >= settings.minimumRequests && failures / total >= settings.failureRatio) {
      move('open', `failure ratio ${(failures / total).toFixed(2)} over ${total} requests`);
    }
  };

  const onSuccess = () => {
    if (current === 'closed') consecutive = 0;
    else if (current === 'half_open') {
      trialsSucceeded += 1;
      if (trialsSucceeded >= settings.halfOpenMaxRequests) move('closed', 'half-open trials succeeded');
    }
  };

  return {
    state,
    acquire() {
      const at = state();
      if (at === 'open') return undefined;
      if (at === 'half_open') {
        if (trialsAdmitted >= settings.halfOpenMaxRequests) return undefined;
        trialsAdmitted += 1;
      } else {
        window.add('total', now());
      }
      const admittedIn = generation;
      let reported = false;
      // Outcomes of permits granted under an earlier state are stale: they must not move the new state.
      const report = (apply: () => void) => {
        if (reported) return;
        reported = true;
        if (admittedIn === generation) apply();
      };
      return {
        success: () => report(onSuccess),
        failure: () => report(onFailure),
        neutral: () =>
          report(() => {
            if (current === 'half_open') trialsAdmitted -= 1;
          }),
      };
    },
    retryAfterMs() {
      return state() === 'open' ? Math.max(0, openedAt + recoveryMs - now()) : 0;
    },
    settle(ok, reason) {
      if (state() !== 'half_open') return;
      move(ok ? 'closed' : 'open', reason);
    },
  };
}
