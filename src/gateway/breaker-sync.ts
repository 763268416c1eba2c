import type { PeerChange } from './breaker.ts';

/**
 * May this replica run a half-open trial now: `granted` (it holds the fleet's lease, or decides alone),
 * `elsewhere` (another replica is trialling), or `pending` (being asked).
 */
export type TrialClaim = 'granted' | 'elsewhere' | 'pending';

export interface OwnChange {
  to: 'open' | 'closed';
  reason: string;
  openedAt: number;
}

export interface BreakerSyncHooks {
  /** A peer's verdict for a target (by target key). */
  adopt(target: string, change: PeerChange): void;
  /** This replica's open breakers, re-announced when Redis returns so the fleet learns them. */
  openBreakers(): { target: string; change: OwnChange }[];
  /** The lease for a target was granted after a `pending` claim: the trial can start now. */
  granted(target: string): void;
}

/**
 * How a replica's breakers agree with the others'. One implementation per process keeps every decision
 * local (one replica); the Redis one shares opens and closes within a second through pub/sub and lets
 * one replica at a time trial a half-open target. Both decide locally when they cannot ask.
 */
export interface BreakerSync {
  /** Wires the breakers in; call before start. */
  attach(hooks: BreakerSyncHooks): void;
  /** This replica's own breaker for `target` opened, or closed an episode. */
  announce(target: string, change: OwnChange): void;
  /**
   * Asks for the half-open trial lease (held `leaseMs` at most, renewed by asking again) for the episode
   * that opened at `openedAt`; an episode already closed elsewhere is adopted as closed instead.
   */
  claimTrial(target: string, leaseMs: number, openedAt: number): TrialClaim;
  /** The trial ended (or this replica adopted a peer's verdict): the lease is given back. */
  releaseTrial(target: string): void;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** One replica on its own: every trial is its own, nothing to tell anyone. */
export function createLocalBreakerSync(): BreakerSync {
  return {
    attach: () => {},
    announce: () => {},
    claimTrial: () => 'granted',
    releaseTrial: () => {},
    start: () => {},
    stop: () => {},
  };
}
