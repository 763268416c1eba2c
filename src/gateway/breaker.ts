import type { Config } from '../config/index.ts';
import type { BreakerState } from '../events/index.ts';
import { createWindowCounter } from './window.ts';

export type BreakerSettings = Config['circuitBreaker'];

export interface Transition {
  from: BreakerState;
  to: BreakerState;
  reason: string;
  /** When the breaker's current open episode began (epoch ms); the episode a close ends. */
  openedAt: number;
  /** The replica whose evidence made this move, when it was another one (learned through Redis). */
  peer?: string | undefined;
}

/** What another replica's breaker for the same target did. */
export interface PeerChange {
  to: 'open' | 'closed';
  reason: string;
  /** The open episode: when it began (for `closed`, the episode that was closed). */
  openedAt: number;
  peer: string;
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
  /**
   * Takes over another replica's verdict: its open (recovery then runs from the same instant on every
   * replica, so they turn half-open together) or its close of the episode this breaker is in. A message
   * about an older episode than this breaker's own is stale and changes nothing.
   */
  adopt(change: PeerChange): void;
  /** When the current (or last) open episode began, epoch ms. */
  openedAt(): number;
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
  let closedAt = 0;
  let consecutive = 0;
  let generation = 0;
  let trialsAdmitted = 0;
  let trialsSucceeded = 0;
  const window = createWindowCounter(settings.windowSeconds);
  const recoveryMs = settings.recoverySeconds * 1000;

  const move = (to: BreakerState, reason: string, peer?: { name: string; openedAt: number }) => {
    if (to === current) return;
    const from = current;
    current = to;
    generation += 1;
    trialsAdmitted = 0;
    trialsSucceeded = 0;
    consecutive = 0;
    if (to === 'open') openedAt = peer?.openedAt ?? now();
    if (to === 'closed') {
      closedAt = now();
      window.clear();
    }
    onTransition({ from, to, reason, openedAt, ...(peer ? { peer: peer.name } : {}) });
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
    adopt(change) {
      const peer = { name: change.peer, openedAt: change.openedAt };
      const reason = `${change.to === 'open' ? 'opened' : 'closed'} on ${change.peer}: ${change.reason}`;
      const at = state();
      if (change.to === 'open') {
        // Opened together (each on its own evidence): keep the later start, so all recover together.
        if (at === 'open') openedAt = Math.max(openedAt, change.openedAt);
        // A half-open trial failed elsewhere (a newer episode), or a peer opened while this was closed.
        else if (change.openedAt > (at === 'half_open' ? openedAt : closedAt)) move('open', reason, peer);
        return;
      }
      if (at !== 'closed' && change.openedAt >= openedAt) move('closed', reason, peer);
    },
    openedAt: () => openedAt,
  };
}
