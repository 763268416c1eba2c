import type { Config } from '../config/index.ts';
import type { Failure } from '../providers/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import { type ChainDeps, type ChainInput, type ChainOutcome, runChain, type Walk } from './chain.ts';
import type { Target } from './model-router.ts';
import type { RequestScope } from './request.ts';

export type ResumeOutcome = (typeof n.RESUME_OUTCOMES)[number];
export type ResumeMethod = 'replay' | 'prefill';
type Prefill = Config['providers'][number]['prefill'];

/** A stream served by the chain, with the walk that found it. */
export type ServedStream = Extract<ChainOutcome, { ok: true; kind: 'stream' }>;

/** One resumption: where the stream broke and why, for its telemetry. */
export interface Break {
  from: Target;
  failure: Failure;
  /** Characters of output the client had received. */
  offset: number;
}

export interface Reopened {
  ok: true;
  served: ServedStream;
  method: ResumeMethod;
}

/**
 * Finds the stream that continues a broken one: the same request to the next target in the chain (the
 * targets this request already called are skipped), with the chain's breakers, retries, failover
 * accounting and the deadline. Under `prefill`, a target whose provider declares how it continues a
 * partial answer gets that answer as the last assistant message; one that refuses it (a 4xx) is reported
 * (`rejected`) and then asked to replay instead. Undeclared targets always replay.
 */
export async function reopen(
  deps: ChainDeps,
  scope: RequestScope,
  request: {
    body: Record<string, unknown>;
    clientModel: string;
    signal: AbortSignal;
    onUsage?: ChainInput['onUsage'];
  },
  at: Break & { exclude: Set<string>; content: string | undefined },
): Promise<Reopened | { ok: false; outcome: ChainOutcome }> {
  const prefillOf = new Map(deps.config.providers.map((provider) => [provider.name, provider.prefill]));
  const usePrefill = deps.config.retry.resumeStreams === 'prefill' && at.content !== undefined;
  const prefilled = (target: Target) => usePrefill && (prefillOf.get(target.provider) ?? 'none') !== 'none';
  const run = (bodyFor: ((target: Target) => Record<string, unknown>) | undefined, after: boolean) =>
    runChain(deps, {
      clientModel: request.clientModel,
      body: request.body,
      stream: true,
      signal: request.signal,
      clientGone: scope.clientGone,
      client: scope.client,
      deadlineAt: scope.deadlineAt,
      span: scope.span,
      exclude: at.exclude,
      after: after ? { target: at.from, reason: at.failure.type } : undefined,
      bodyFor,
      onUsage: request.onUsage,
    });
  const first = await run(
    usePrefill
      ? (target) =>
          prefilled(target)
            ? prefillBody(request.body, at.content ?? '', prefillOf.get(target.provider) ?? 'none')
            : request.body
      : undefined,
    true,
  );
  note(at.exclude, first);
  if (first.ok && first.kind === 'stream')
    return { ok: true, served: first, method: prefilled(first.target) ? 'prefill' : 'replay' };
  const rejecter = first.ok ? undefined : lastCalled(first);
  if (
    !first.ok &&
    first.reason === 'failed' &&
    rejectsPrefill(first.failure) &&
    rejecter &&
    prefilled(rejecter)
  ) {
    recordResumption(deps, scope, at, { outcome: 'rejected', method: 'prefill', to: rejecter });
    // The refusal said nothing about the target's health: it may replay the answer instead.
    at.exclude.delete(rejecter.key);
    const replayed = await run(undefined, false);
    note(at.exclude, replayed);
    if (replayed.ok && replayed.kind === 'stream') return { ok: true, served: replayed, method: 'replay' };
    return { ok: false, outcome: replayed };
  }
  return { ok: false, outcome: first };
}

/** A 4xx for the request as sent: the target does not take the prefill it was declared to take. */
const rejectsPrefill = (failure: Failure) =>
  failure.type === 'client_error' ||
  (failure.status !== undefined && failure.status >= 400 && failure.status < 500 && failure.status !== 429);

function lastCalled(outcome: ChainOutcome): Target | undefined {
  if (!('called' in outcome)) return undefined;
  const key = outcome.called.at(-1);
  if (!key) return undefined;
  const slash = key.indexOf('/');
  return { provider: key.slice(0, slash), model: key.slice(slash + 1), key };
}

function note(exclude: Set<string>, outcome: ChainOutcome) {
  for (const key of (outcome as Partial<Walk>).called ?? []) exclude.add(key);
}

/**
 * The request with the partial answer as the final assistant message, in the target's dialect: vLLM's
 * `continue_final_message` (and no new generation prompt), or `prefix: true` on the message (Mistral,
 * DeepSeek).
 */
export function prefillBody(body: Record<string, unknown>, partial: string, prefill: Prefill) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (prefill === 'prefix') {
    return { ...body, messages: [...messages, { role: 'assistant', content: partial, prefix: true }] };
  }
  return {
    ...body,
    messages: [...messages, { role: 'assistant', content: partial }],
    continue_final_message: true,
    add_generation_prompt: false,
  };
}

/** The counter, the span event and the incident for one resumption's outcome. */
export function recordResumption(
  deps: ChainDeps,
  scope: RequestScope,
  at: Break,
  result: { outcome: ResumeOutcome; method: ResumeMethod; to?: Target | undefined; why?: string | undefined },
) {
  const { outcome, method, to } = result;
  deps.telemetry.instruments.gatewayStreamResumptions.record(1, {
    [n.ATTR_OUTCOME]: outcome,
    [n.ATTR_RESUME_METHOD]: method,
    ...deps.providerAttributes(at.from.provider).names,
    [n.ATTR_REASON]: at.failure.type,
  });
  const why = result.why?.slice(0, 200);
  scope.span.event(n.SPAN_EVENT_RESUME, {
    [n.ATTR_OUTCOME]: outcome,
    [n.ATTR_RESUME_METHOD]: method,
    [n.ATTR_RESUME_OFFSET]: at.offset,
    [n.ATTR_FAILOVER_FROM]: at.from.key,
    [n.ATTR_REASON]: at.failure.type,
    ...(to ? { [n.ATTR_FAILOVER_TO]: to.key } : {}),
    ...(why ? { 'inferwatch.resume.detail': why } : {}),
  });
  const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 119)}…` : text);
  const resumed = outcome === 'resumed';
  deps.raise({
    kind: resumed ? 'stream_resumed' : 'stream_resume_failed',
    severity: resumed ? 'info' : 'warning',
    title: resumed
      ? `a stream from ${clip(at.from.key)} broke (${at.failure.type}) and resumed on ${clip(to?.key ?? '?')} (${method})`
      : `a stream from ${clip(at.from.key)} broke (${at.failure.type}) and could not resume: ${outcome}`,
    subject: at.from.provider,
    detail: {
      outcome,
      method,
      from: at.from.provider,
      ...(to ? { to: to.provider } : {}),
      reason: at.failure.type,
      offset: at.offset,
      ...(why ? { detail: why } : {}),
      traceId: scope.span.traceId,
    },
  });
}
