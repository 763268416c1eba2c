import type { FailureType } from './failure.ts';

/**
 * One upstream attempt's cancellation: the caller's signal (client gone, chain deadline) plus the
 * provider's own phase timers. Whoever fires first names the failure class, so a timeout is reported as
 * the phase that ran out, not as a generic abort.
 */
export interface AttemptTimers {
  signal: AbortSignal;
  /** The class that aborted the attempt, once one did. */
  reason(): FailureType | undefined;
  /** Arms the first-token timer. */
  awaitFirst(ms: number): void;
  /** First chunk arrived: stop the first-token timer and arm the idle timer. */
  gotFirst(idleMs: number): void;
  /** Bytes arrived: restart the idle timer. */
  alive(): void;
  /**
   * The consumer has what was read and has not asked for more (its client is slow): the upstream is not
   * being read, so its silence is not the upstream's. The idle timer cannot fire until `resume()`.
   */
  hold(): void;
  /** The consumer asks for more: the idle timer runs again from now. */
  resume(): void;
  dispose(): void;
}

/** `onDispose` runs once, when the attempt's timers are first disposed: the attempt is over (its slot is free). */
export function startAttempt(
  totalMs: number,
  callerSignal?: AbortSignal,
  onDispose?: () => void,
): AttemptTimers {
  const controller = new AbortController();
  let reason: FailureType | undefined;
  const abort = (type: FailureType) => {
    if (controller.signal.aborted) return;
    reason = type;
    controller.abort(new Error(`attempt aborted: ${type}`));
  };
  const total = setTimeout(() => abort('timeout_total'), totalMs);
  let first: NodeJS.Timeout | undefined;
  let idle: NodeJS.Timeout | undefined;
  let held = false;
  let disposed = false;
  // The caller's abort is reported as timeout_total: the chain deadline ran out (a client that went away
  // is told apart by the caller, who owns that signal).
  const onCallerAbort = () => abort('timeout_total');
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => reason,
    awaitFirst(ms) {
      first = setTimeout(() => abort('timeout_first_token'), ms);
    },
    gotFirst(idleMs) {
      clearTimeout(first);
      // A held timer that fires does nothing; resume() re-arms it (refresh() reactivates a fired timer).
      idle = setTimeout(() => {
        if (!held) abort('timeout_idle');
      }, idleMs);
    },
    alive() {
      idle?.refresh();
    },
    hold() {
      held = true;
    },
    resume() {
      held = false;
      idle?.refresh();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(total);
      clearTimeout(first);
      clearTimeout(idle);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      onDispose?.();
    },
  };
}
