import { HttpError } from '../http/index.ts';

/**
 * What the simulator will do with one request. Model-name faults and runtime faults both reduce to a
 * plan; the handler only executes it, so a plan can be tested without a socket.
 */
export type Plan =
  | { kind: 'error'; error: HttpError }
  /** Destroy the socket before any response byte. */
  | { kind: 'reset' }
  /** Accept the request and never answer. */
  | { kind: 'silence' }
  /** Answer with bytes that are not HTTP (another protocol on the port), then close. */
  | { kind: 'not-http' }
  | ({ kind: 'answer' } & AnswerPlan);

export interface AnswerPlan {
  ttftMs: number;
  tokensPerSecond: number;
  /** Destroy the socket after this many content chunks. */
  cutAfter?: number;
  /** Go silent after this many content chunks. */
  stallAfter?: number;
  /** Send a chunk that is not JSON after the first content chunk. */
  malformed?: boolean;
  /** How a stream ends: normally, with finish_reason but no [DONE], or with neither. */
  ending: 'done' | 'no-done' | 'no-done-cut';
  empty?: boolean;
  wrongAnswer?: boolean;
  /** An answer of another shape than text: no text because max_tokens ran out, a tool call, no choices. */
  shape?: 'empty-length' | 'tool-call' | 'no-choices' | 'tool-stream';
  /** Send a line that is not JSON after this many content chunks (a stream), then the rest. */
  malformedAfter?: number;
  /** Refuse a request that asks to continue a final assistant message (400), as servers without it do. */
  rejectPrefill?: boolean;
  /** Close the connection right after the headers, before any chunk or body byte. */
  cutAfterHeaders?: boolean;
  /** A JSON answer sent in four pieces this many ms apart: slow, but alive. */
  trickleMs?: number;
  /** Azure OpenAI opens a stream with a prompt-filter chunk: no choices, model "". */
  azurePreamble?: boolean;
  /** After [DONE]: end the response this many ms later, or keep sending keep-alive comments (`chatter`). */
  afterDone?: { lingerMs: number } | 'chatter';
  /** This many KiB of content in 1,000-character chunks, as fast as the connection takes them. */
  floodKib?: number;
  /** End the stream with an in-band `{"error": …}` event after this many content chunks. */
  errorEventAfter?: number;
  /**
   * How the upstream treats `stream_options`: as OpenAI does (default), rejects the key with a 400 as
   * servers that predate it do, or ignores it and never sends usage.
   */
  streamOptions?: StreamOptionsHandling;
  /** The provider's output filter stopped the answer: 200 with finish_reason content_filter (Azure). */
  contentFiltered?: boolean;
}

export type StreamOptionsHandling = 'honour' | 'reject' | 'ignore';

/** OpenAI-shaped upstream errors, one constructor per status family. */
export const upstreamError = {
  rateLimited: (retryAfterSeconds?: number) =>
    new HttpError(429, 'Rate limit reached for requests (simulated).', {
      type: 'requests',
      code: 'rate_limit_exceeded',
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    }),
  server: (status: number) =>
    new HttpError(status, `The server had an error while processing your request (simulated ${status}).`, {
      type: 'server_error',
      code: status === 503 ? 'service_unavailable' : 'server_error',
    }),
  overloaded: () =>
    new HttpError(503, 'The engine is currently overloaded, please try again later (simulated).', {
      type: 'server_error',
      code: 'overloaded',
    }),
  /** A whole provider down: its edge answers 502 for a backend it cannot reach (a 503 reads as capacity). */
  outage: () =>
    new HttpError(502, 'Bad gateway: the provider is down (simulated outage).', {
      type: 'server_error',
      code: 'server_error',
    }),
  /** What OpenAI answers for a model it does not serve. */
  modelNotFound: (model: string) =>
    new HttpError(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
      code: 'model_not_found',
    }),
  auth: () =>
    new HttpError(401, 'Incorrect API key provided (simulated).', {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    }),
  /**
   * Error texts as real providers write them, full of what a gateway's client must not see: a half-masked
   * key, a project id, a traceback with internal hosts.
   */
  authDetail: () =>
    new HttpError(
      401,
      'Incorrect API key provided: sk-simu*********0000. You can find your API key at https://platform.openai.com/account/api-keys. (simulated)',
      { type: 'invalid_request_error', code: 'invalid_api_key' },
    ),
  forbidden: () =>
    new HttpError(403, 'Project `proj_sim0000` does not have access to model `sim-large` (simulated).', {
      type: 'invalid_request_error',
      code: 'model_not_found',
    }),
  traceback: () =>
    new HttpError(
      500,
      'Traceback (most recent call last): File "/srv/inference/worker.py", line 88, in generate: ConnectionError: db-7.internal:5432 refused (simulated)',
      { type: 'server_error', code: 'server_error' },
    ),
  /** What servers that predate the option answer (Azure OpenAI's older API versions word it this way). */
  unknownStreamOptions: () =>
    new HttpError(400, 'Unrecognized request argument supplied: stream_options (simulated).', {
      type: 'invalid_request_error',
      code: 'unknown_parameter',
    }),
  /** A client-side status with a message of its own. */
  status: (status: number, message: string) => new HttpError(status, message, { code: 'invalid_request' }),
  /** What a server answers for a continuation request it does not support. */
  unknownPrefill: () =>
    new HttpError(400, 'Unrecognized request argument supplied: continue_final_message (simulated).', {
      type: 'invalid_request_error',
      code: 'unknown_parameter',
    }),
  byStatus: (status: number, retryAfterSeconds?: number): HttpError =>
    status === 429
      ? upstreamError.rateLimited(retryAfterSeconds)
      : status === 401
        ? upstreamError.auth()
        : upstreamError.server(status),
};

export type Apply = (plan: AnswerPlan) => Plan;
const answer = (plan: AnswerPlan, change: Partial<AnswerPlan>): Plan => ({
  kind: 'answer',
  ...plan,
  ...change,
});

/** Fault kinds selected by model name (`sim-small+fault-429`), one row per kind. */
const fixedFaults: Record<string, Apply> = {
  '429': () => ({ kind: 'error', error: upstreamError.rateLimited() }),
  '500': () => ({ kind: 'error', error: upstreamError.server(500) }),
  '502': () => ({ kind: 'error', error: upstreamError.server(502) }),
  '503': () => ({ kind: 'error', error: upstreamError.server(503) }),
  overloaded: () => ({ kind: 'error', error: upstreamError.overloaded() }),
  // Statuses of the Anthropic error classes (billing, too large, timeout, overloaded) in any format.
  '402': () => ({
    kind: 'error',
    error: upstreamError.status(402, 'Your credit balance is too low (simulated).'),
  }),
  '413': () => ({
    kind: 'error',
    error: upstreamError.status(413, 'Request exceeds the maximum size (simulated).'),
  }),
  '504': () => ({ kind: 'error', error: upstreamError.server(504) }),
  '529': () => ({
    kind: 'error',
    error: new HttpError(529, 'Overloaded (simulated).', { type: 'server_error', code: 'overloaded' }),
  }),
  reset: () => ({ kind: 'reset' }),
  silence: () => ({ kind: 'silence' }),
  'not-http': () => ({ kind: 'not-http' }),
  malformed: (plan) => answer(plan, { malformed: true }),
  'no-done': (plan) => answer(plan, { ending: 'no-done' }),
  'no-done-cut': (plan) => answer(plan, { ending: 'no-done-cut' }),
  'context-length': () => ({
    kind: 'error',
    error: new HttpError(
      400,
      "This model's maximum context length is 8192 tokens. However, your messages resulted in more tokens (simulated).",
      { code: 'context_length_exceeded', param: 'messages' },
    ),
  }),
  // The provider's output filter stopped the answer: a 200 with finish_reason content_filter (Azure).
  'content-filtered': (plan) => answer(plan, { contentFiltered: true }),
  'content-filter': () => ({
    kind: 'error',
    error: new HttpError(400, 'The response was filtered due to the content management policy (simulated).', {
      code: 'content_filter',
      param: 'prompt',
    }),
  }),
  auth: () => ({ kind: 'error', error: upstreamError.auth() }),
  'auth-detail': () => ({ kind: 'error', error: upstreamError.authDetail() }),
  '403': () => ({ kind: 'error', error: upstreamError.forbidden() }),
  '500-traceback': () => ({ kind: 'error', error: upstreamError.traceback() }),
  empty: (plan) => answer(plan, { empty: true }),
  'empty-length': (plan) => answer(plan, { empty: true, shape: 'empty-length' }),
  'empty-choices': (plan) => answer(plan, { empty: true, shape: 'no-choices' }),
  'tool-call': (plan) => answer(plan, { empty: true, shape: 'tool-call' }),
  // A tool call whose arguments (the reply as JSON) stream a word at a time, as the content would.
  'tool-stream': (plan) => answer(plan, { shape: 'tool-stream' }),
  'reject-prefill': (plan) => answer(plan, { rejectPrefill: true }),
  'wrong-answer': (plan) => answer(plan, { wrongAnswer: true }),
  'cut-after-headers': (plan) => answer(plan, { cutAfterHeaders: true }),
  'azure-preamble': (plan) => answer(plan, { azurePreamble: true }),
  'done-then-chatter': (plan) => answer(plan, { afterDone: 'chatter' }),
  'reject-stream-options': (plan) => answer(plan, { streamOptions: 'reject' }),
  'ignore-stream-options': (plan) => answer(plan, { streamOptions: 'ignore' }),
};

/** Kinds with a number in them. */
const numberedFaults: [RegExp, (value: number) => Apply][] = [
  [
    /^429-retry-after-(\d+)$/,
    (seconds) => () => ({ kind: 'error', error: upstreamError.rateLimited(seconds) }),
  ],
  // Any status, OpenAI-shaped: the statuses a proxy in front of a provider answers with (408, 504, ...).
  [/^status-([45]\d\d)$/, (status) => () => ({ kind: 'error', error: upstreamError.byStatus(status) })],
  [/^slow-first-token-(\d+)$/, (ms) => (plan) => answer(plan, { ttftMs: ms })],
  // The gap between streamed tokens: `slow-tokens-100` is ten tokens a second.
  [/^slow-tokens-(\d+)$/, (ms) => (plan) => answer(plan, { tokensPerSecond: ms > 0 ? 1000 / ms : 0 })],
  [/^cut-after-(\d+)$/, (n) => (plan) => answer(plan, { cutAfter: n })],
  [/^stall-after-(\d+)$/, (n) => (plan) => answer(plan, { stallAfter: n })],
  [/^malformed-after-(\d+)$/, (n) => (plan) => answer(plan, { malformedAfter: n })],
  [/^trickle-(\d+)$/, (ms) => (plan) => answer(plan, { trickleMs: ms })],
  [/^done-then-linger-(\d+)$/, (ms) => (plan) => answer(plan, { afterDone: { lingerMs: ms } })],
  [/^flood-(\d+)$/, (kib) => (plan) => answer(plan, { floodKib: kib })],
  [/^error-event-after-(\d+)$/, (n) => (plan) => answer(plan, { errorEventAfter: n })],
];

export const faultKinds = [
  ...Object.keys(fixedFaults),
  '429-retry-after-<s>',
  'status-<code>',
  'slow-first-token-<ms>',
  'slow-tokens-<ms>',
  'cut-after-<n>',
  'stall-after-<n>',
  'malformed-after-<n>',
  'trickle-<ms>',
  'done-then-linger-<ms>',
  'flood-<kib>',
  'error-event-after-<n>',
] as const;

export function lookup(kind: string): Apply | undefined {
  if (Object.hasOwn(fixedFaults, kind)) return fixedFaults[kind];
  for (const [pattern, make] of numberedFaults) {
    const match = pattern.exec(kind);
    if (match) return make(Number(match[1]));
  }
  return undefined;
}

export type ParsedModel = { ok: true; baseModel: string; faults: Apply[] } | { ok: false; error: HttpError };

/**
 * Splits `sim-small+fault-cut-after-3` into the base model and its faults. Several faults may be chained
 * (`sim-small+fault-slow-first-token-500+fault-cut-after-3`); `fault-429` alone means `sim-small`.
 */
export function parseModel(model: string): ParsedModel {
  const parts = model.split('+');
  const base = parts.filter((part) => !part.startsWith('fault-'));
  const faults: Apply[] = [];
  for (const part of parts.filter((part) => part.startsWith('fault-'))) {
    const apply = lookup(part.slice('fault-'.length));
    if (!apply) {
      const error = new HttpError(
        400,
        `Unknown simulator fault "${part}". Known: ${faultKinds.join(', ')}.`,
        {
          code: 'model_not_found',
          param: 'model',
        },
      );
      return { ok: false, error };
    }
    faults.push(apply);
  }
  return { ok: true, baseModel: base.join('+') || 'sim-small', faults };
}

/** Applies faults in order; the first one that does not answer decides. */
export function applyFaults(faults: Apply[], plan: AnswerPlan): Plan {
  let current: Plan = { kind: 'answer', ...plan };
  for (const apply of faults) {
    if (current.kind !== 'answer') break;
    current = apply(current);
  }
  return current;
}
