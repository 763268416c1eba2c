import { httpCheck } from './http.ts';
import { modelCheck } from './model.ts';
import type {
  Check,
  CheckDeps,
  CheckKind,
  CheckOutcome,
  ResolvedHttpCheck,
  ResolvedModelCheck,
} from './types.ts';

export interface CheckSpecs {
  http: ResolvedHttpCheck;
  model: ResolvedModelCheck;
}

/** Kind → implementation, one signature. Adding a kind is one file, one row and one CheckSpecs key. */
export const checks = { http: httpCheck, model: modelCheck } satisfies {
  [K in CheckKind]: Check<CheckSpecs[K]>;
};

export type CheckSpec = { [K in CheckKind]: { kind: K; spec: CheckSpecs[K] } }[CheckKind];

export function runCheck({ kind, spec }: CheckSpec, deps: CheckDeps): Promise<CheckOutcome> {
  // TypeScript cannot correlate `kind` with `spec` through the union; the CheckSpec type guarantees it.
  return (checks[kind] as Check<typeof spec>)(spec, deps);
}

export { SYNTHETIC_HEADER } from './model.ts';
export * from './types.ts';
