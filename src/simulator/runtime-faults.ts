import { z } from 'zod';
import type { AnswerPlan, Plan } from './faults.ts';
import { faultKinds, lookup, upstreamError } from './faults.ts';

/** Faults set at runtime per instance (`PUT /_sim/:instance/faults` or `setFaults()`). */
export const runtimeFaultsSchema = z.strictObject({
  mode: z.enum(['ok', 'outage', 'rate_limit', 'server_error', 'reset', 'silence', 'slow']).optional(),
  /** Fraction of requests the mode applies to (default: all). Drawn from the injected `random`. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Status for outage (default 502), server_error (500) and rate_limit (429). */
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Added before anything is sent, on every request. */
  latencyMs: z.number().min(0).optional(),
  ttftMs: z.number().min(0).optional(),
  tokensPerSecond: z.number().min(0).optional(),
  /** Alternate: failing for one period, healthy for the next, starting with failing. */
  flapPeriodMs: z.number().positive().optional(),
  /** Failing only for this long after the faults were set; healthy afterwards. */
  outageForMs: z.number().positive().optional(),
  /** When set, a request whose Authorization header carries another key gets a 401. */
  apiKey: z.string().optional(),
  /** Model-name fault kinds applied to every request, as if each model carried `+fault-<kind>`. */
  modelFaults: z
    .array(z.string().max(64))
    .max(8)
    .optional()
    .refine((kinds) => (kinds ?? []).every((kind) => lookup(kind) !== undefined), {
      message: `unknown fault kind; known: ${faultKinds.join(', ')}`,
    }),
  /** `reject`: a request carrying stream_options gets a 400; `ignore`: streams never carry usage. */
  streamOptions: z.enum(['honour', 'reject', 'ignore']).optional(),
});

export type RuntimeFaults = z.infer<typeof runtimeFaultsSchema>;
export type FaultMode = NonNullable<RuntimeFaults['mode']>;

type Failure = (faults: RuntimeFaults, plan: AnswerPlan) => Plan;

/** Mode → what a failing request gets; one row per mode. */
const failures: Record<Exclude<FaultMode, 'ok'>, Failure> = {
  outage: (faults) => ({
    kind: 'error',
    error:
      faults.status === undefined
        ? upstreamError.outage()
        : upstreamError.byStatus(faults.status, faults.retryAfterSeconds),
  }),
  rate_limit: (faults) => ({
    kind: 'error',
    error: upstreamError.byStatus(faults.status ?? 429, faults.retryAfterSeconds),
  }),
  server_error: (faults) => ({
    kind: 'error',
    error: upstreamError.byStatus(faults.status ?? 500, faults.retryAfterSeconds),
  }),
  reset: () => ({ kind: 'reset' }),
  silence: () => ({ kind: 'silence' }),
  // Slow without explicit timings means a first token that takes two seconds.
  slow: (faults, plan) => ({
    kind: 'answer',
    ...plan,
    ttftMs: faults.ttftMs ?? (faults.latencyMs === undefined ? 2000 : plan.ttftMs),
  }),
};

/**
 * The mode a request falls under at `now`: the configured mode (or `outage` when only a window, flapping
 * or an error rate was given), unless the window is over, the flap is in its healthy half, or the
 * error-rate draw spared this request.
 */
export function activeMode(
  faults: RuntimeFaults,
  since: number,
  now: number,
  random: () => number,
): FaultMode {
  const windowed =
    faults.flapPeriodMs !== undefined || faults.outageForMs !== undefined || faults.errorRate !== undefined;
  const mode = faults.mode ?? (windowed ? (faults.status ? 'server_error' : 'outage') : 'ok');
  if (mode === 'ok') return 'ok';
  const elapsed = now - since;
  if (faults.outageForMs !== undefined && elapsed >= faults.outageForMs) return 'ok';
  if (faults.flapPeriodMs !== undefined && Math.floor(elapsed / faults.flapPeriodMs) % 2 === 1) return 'ok';
  if (faults.errorRate !== undefined && !(random() < faults.errorRate)) return 'ok';
  return mode;
}

/** Runtime timings first (they apply to healthy requests too), then the failure of the active mode. `latencyMs` is applied by the handler to every plan. */
export function runtimePlan(faults: RuntimeFaults, plan: AnswerPlan, mode: FaultMode): Plan {
  const timed: AnswerPlan = {
    ...plan,
    ttftMs: faults.ttftMs ?? plan.ttftMs,
    tokensPerSecond: faults.tokensPerSecond ?? plan.tokensPerSecond,
    ...(faults.streamOptions ? { streamOptions: faults.streamOptions } : {}),
  };
  return mode === 'ok' ? { kind: 'answer', ...timed } : failures[mode](faults, timed);
}
