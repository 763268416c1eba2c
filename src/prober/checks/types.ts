import type { HttpCheckConfig, ModelCheckConfig } from '../../config/prober-schema.ts';
import type { FailureType } from '../../providers/failure.ts';
import type { Condition } from '../conditions.ts';

export const checkKinds = ['http', 'model'] as const;
export type CheckKind = (typeof checkKinds)[number];

/** HTTP phases, named as blackbox_exporter's `probe_http_duration_seconds{phase}`. */
export const httpPhases = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type HttpPhase = (typeof httpPhases)[number];

/** One probe's outcome as a value: every field a consumer (metrics, log, store, API) needs. */
export interface CheckOutcome {
  success: boolean;
  errorType?: FailureType | undefined;
  /** Human-readable reason; never contains prompt or answer text. */
  message?: string | undefined;
  durationMs: number;
  statusCode?: number | undefined;
  phasesMs?: Partial<Record<HttpPhase, number>> | undefined;
  /** Unix ms when the earliest certificate in the presented chain expires. */
  certExpiresAt?: number | undefined;
  model?: string | undefined;
  ttftMs?: number | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  tokensPerSecond?: number | undefined;
  finishReason?: string | undefined;
  /** Whether the stream ended with `data: [DONE]`. */
  done?: boolean | undefined;
  canaryPassed?: boolean | undefined;
}

export interface ResolvedHttpCheck extends HttpCheckConfig {
  parsedConditions: Condition[];
}

/** A model check with its endpoint resolved from `provider:`, `baseURL:` or `self` (read lazily). */
export interface ResolvedModelCheck extends ModelCheckConfig {
  endpoint: () => { baseURL: string; apiKey?: string | undefined; headers: Record<string, string> };
  /** `inferwatch.provider.name`: the configured provider, `inferwatch` for self, `custom` for a baseURL. */
  providerName: string;
  /** `gen_ai.provider.name`: the provider's, or derived from the baseURL's host. */
  genAiProviderName: string;
}

export interface CheckDeps {
  now: () => number;
  /** Monotonic milliseconds for durations (performance.now in production). */
  clock: () => number;
  fetch: FetchLike;
  signal?: AbortSignal | undefined;
  /** undici dispatcher carrying the connect timeout (model checks). */
  dispatcher?: unknown;
}

/** The slice of fetch a model check uses; undici's fetch (the default) and test fakes both fit. */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
    dispatcher?: unknown;
  },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  body: AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
}>;

export type Check<C> = (check: C, deps: CheckDeps) => Promise<CheckOutcome>;
