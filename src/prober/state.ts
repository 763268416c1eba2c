import type { ProbeState } from '../events/index.ts';

export type { ProbeState };

/**
 * Anti-flap state per target, computed from results only (no timers): `down` after N consecutive failures,
 * back `up` after M consecutive successes, `degraded` for a success slower than its threshold. Before the
 * first verdict a target is `unknown`; a first success makes it up at once (nothing to recover from).
 */

export interface StateCounters {
  state: ProbeState;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

export interface Verdict {
  success: boolean;
  /** A success over the latency or TTFT threshold. */
  slow: boolean;
}

export interface Thresholds {
  failureThreshold: number;
  recoveryThreshold: number;
}

export const initialState = (): StateCounters => ({
  state: 'unknown',
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
});

export function nextState(current: StateCounters, verdict: Verdict, thresholds: Thresholds): StateCounters {
  if (!verdict.success) {
    const consecutiveFailures = current.consecutiveFailures + 1;
    const state = consecutiveFailures >= thresholds.failureThreshold ? 'down' : current.state;
    return { state, consecutiveFailures, consecutiveSuccesses: 0 };
  }
  const consecutiveSuccesses = current.consecutiveSuccesses + 1;
  const healthy: ProbeState = verdict.slow ? 'degraded' : 'up';
  // Leaving `down` needs M successes in a row; between up and degraded there is no hysteresis to wait out.
  const recovering = current.state === 'down' && consecutiveSuccesses < thresholds.recoveryThreshold;
  return { state: recovering ? 'down' : healthy, consecutiveFailures: 0, consecutiveSuccesses };
}

/** Incident severity per state entered; entering `unknown` never happens after start. */
export const stateIncidents = {
  down: { severity: 'critical', title: 'is down' },
  degraded: { severity: 'warning', title: 'is degraded (slow)' },
  up: { severity: 'info', title: 'recovered' },
  unknown: { severity: 'info', title: 'state unknown' },
} as const satisfies Record<ProbeState, { severity: 'critical' | 'warning' | 'info'; title: string }>;
