import type { Config } from '../config/index.ts';
import type { Operation } from '../config/provider-types.ts';
import type { EventBus } from '../events/index.ts';
import type { Failure, Provider } from '../providers/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import { type AttemptInput, type AttemptOutcome, runAttempt } from './attempt.ts';
import { retryDelay, wait } from './backoff.ts';
import { decide } from './decisions.ts';
import type { FailoverEvents } from './failover-events.ts';
import type { RaiseIncident } from './incidents.ts';
import type { ModelRouter, Target } from './model-router.ts';
import type { ProviderAttributes } from './provider-attributes.ts';
import type { RetryBudget } from './retry-budget.ts';
import type { RouteHealth } from './route-health.ts';
import type { Targets } from './targets.ts';
import type { RequestSpan } from './tracing.ts';
import type { Accounting } from './usage-record.ts';

export interface ChainDeps {
  config: Config;
  router: ModelRouter;
  providers: ReadonlyMap<string, Provider>;
  targets: Targets;
  budget: (provider: string) => RetryBudget;
  telemetry: Telemetry;
  accounting: Accounting;
  /** How each provider is named on spans and metrics. */
  providerAttributes: (provider: string) => ProviderAttributes;
  bus: EventBus;
  /** `failover` bus events, coalesced per from/to/reason (an open breaker diverts every request). */
  failoverEvents: FailoverEvents;
  /** Durable, rate-limited incidents (one per kind and subject a minute): failovers are one. */
  raise: RaiseIncident;
  /** Pairs each route's all_targets_unavailable with its recovery. */
  routeHealth: RouteHealth;
  now: () => number;
  random: () => number;
}

export interface ChainInput {
  clientModel: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** The OpenAI endpoint asked for (chat unless said otherwise): only targets that serve it are tried. */
  operation?: Operation | undefined;
  /** Aborts on client disconnect or the chain deadline. */
  signal: AbortSignal;
  clientGone: () => boolean;
  /** The name of the client's API key, a bounded label for usage and cost. */
  client: string;
  /** performance.now() value after which no new attempt starts. */
  deadlineAt: number;
  span: RequestSpan;
  /** Each attempt's consumption (a failed-over request pays for every attempt the upstream answered). */
  onUsage?: AttemptInput['onUsage'];
  /** Target keys not to call (a stream resumption skips the targets this request already called). */
  exclude?: ReadonlySet<string> | undefined;
  /** A target left before this walk began (a stream that broke): the next call is a failover from it. */
  after?: { target: Target; reason: string } | undefined;
  /** The body for one target, when it differs by target (a prefill); otherwise `body`. */
  bodyFor?: ((target: Target) => Record<string, unknown>) | undefined;
}

/**
 * What the walk went through: `tried` lists every provider the request passed over (skipped by its breaker
 * or failed), in chain order, then the one that answered, if one did. `failedOver` is true once a target
 * later than the first choice was called because an earlier one was skipped or failed.
 */
export interface Walk {
  tried: string[];
  failedOver: boolean;
  /** Keys of the targets called (not merely passed over), in order. */
  called: string[];
}

type Served = Extract<AttemptOutcome, { ok: true }> & Walk & { target: Target };

export type ChainOutcome =
  | Served
  | { ok: false; reason: 'no_route' }
  | ({ ok: false; reason: 'all_targets_unavailable'; retryAfterMs: number } & Walk)
  | ({ ok: false; reason: 'failed'; failure: Failure } & Walk)
  | ({ ok: false; reason: 'client_gone' } & Walk);

/**
 * Walks a route's chain: per target, acquire the breaker, call, and on failure consult the decision
 * table: retry the same target (backoff with full jitter, Retry-After, retry budget, deadline), fail
 * over to the next, or hand the upstream's answer back to the client.
 */
export async function runChain(deps: ChainDeps, input: ChainInput): Promise<ChainOutcome> {
  const chain = deps.router.resolveFor(input.clientModel, input.operation ?? 'chat');
  if (!chain) return { ok: false, reason: 'no_route' };
  const { config, telemetry } = deps;
  const walk: Walk = { tried: [], failedOver: false, called: [] };
  const tooLongFor = new Set<string>();
  let last: Failure | undefined;
  // Targets passed over since the last call, each with why: every one is a failover to the next call.
  let passedOver: { target: Target; reason: string }[] = input.after ? [input.after] : [];
  let upstreamMs = 0;

  for (const target of chain) {
    const provider = deps.providers.get(target.provider);
    // A context-length failure is never resent unchanged to the same model, whichever provider serves it.
    if (!provider || tooLongFor.has(target.model) || input.exclude?.has(target.key)) continue;
    let leftBecause: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      if (input.signal.aborted) return stopped(input, last, walk);
      const permit = deps.targets.acquire(target, input.span);
      if (!permit) {
        // Refused before any call (open breaker, or half-open with its trial taken): passed over.
        if (attempt === 1) walk.tried.push(target.provider);
        // The failover's `reason` label: circuit_open, or circuit_half_open while a trial decides.
        leftBecause ??=
          deps.targets.get(target).breaker.state() === 'half_open' ? 'circuit_half_open' : 'circuit_open';
        break;
      }
      if (attempt === 1) {
        for (const from of passedOver) failover(deps, input, from, target, walk.tried);
        if (passedOver.length > 0) walk.failedOver = true;
        passedOver = [];
        walk.tried.push(target.provider);
        walk.called.push(target.key);
        deps.budget(target.provider).request(deps.now());
      }
      const outcome = await runAttempt({
        provider,
        target,
        state: deps.targets.get(target),
        permit,
        body: input.bodyFor?.(target) ?? input.body,
        stream: input.stream,
        operation: input.operation ?? 'chat',
        attempt,
        signal: input.signal,
        parent: input.span.ctx,
        telemetry,
        accounting: deps.accounting,
        client: input.client,
        responseModelLabel: deps.targets.responseModelLabel,
        identity: deps.providerAttributes(target.provider),
        clientGone: input.clientGone,
        failEmpty: config.retry.failoverOnEmpty,
        onUsage: input.onUsage,
      });
      upstreamMs += outcome.upstreamMs;
      if (outcome.ok) {
        deps.routeHealth.served(deps.router.label(input.clientModel));
        return { ...outcome, upstreamMs, target, ...walk };
      }
      last = outcome;
      if (input.signal.aborted) return stopped(input, last, walk);
      const decision = decide(outcome.type);
      if (!decision.retry && !decision.failover)
        return { ok: false, reason: 'failed', failure: outcome, ...walk };
      if (outcome.type === 'context_length') tooLongFor.add(target.model);
      leftBecause = outcome.type;
      const delay =
        decision.retry && attempt < config.retry.maxAttempts
          ? retryDelay(attempt, config.retry, {
              random: deps.random,
              retryAfterMs: outcome.retryAfterMs,
              remainingMs: input.deadlineAt - performance.now(),
            })
          : undefined;
      if (delay === undefined || !deps.budget(target.provider).tryRetry(deps.now())) break;
      retried(deps, input, target, outcome, attempt, delay);
      if (!(await wait(delay, input.signal))) return stopped(input, last, walk);
    }
    passedOver.push({ target, reason: leftBecause ?? 'circuit_open' });
  }
  if (last) return { ok: false, reason: 'failed', failure: last, ...walk };
  // Open targets say when they turn half-open; a half-open one (its health check running) soon decides.
  const waits = chain.map((target) => {
    const breaker = deps.targets.get(target).breaker;
    return breaker.state() === 'half_open' ? 1_000 : breaker.retryAfterMs();
  });
  const retryAfterMs = Math.min(
    ...waits.filter((ms) => ms > 0),
    config.circuitBreaker.recoverySeconds * 1000,
  );
  deps.routeHealth.unavailable(deps.router.label(input.clientModel), retryAfterMs);
  return { ok: false, reason: 'all_targets_unavailable', retryAfterMs, ...walk };
}

function stopped(input: ChainInput, last: Failure | undefined, walk: Walk): ChainOutcome {
  if (input.clientGone()) return { ok: false, reason: 'client_gone', ...walk };
  // The wait for a slot is what used the deadline up: its message says where and how long.
  if (last?.type === 'queue_timeout') return { ok: false, reason: 'failed', failure: last, ...walk };
  const failure: Failure = {
    ok: false,
    type: 'timeout_total',
    message: `the request deadline passed${last ? ` (last failure: ${last.type})` : ''}`,
  };
  return { ok: false, reason: 'failed', failure, ...walk };
}

function failover(
  deps: ChainDeps,
  input: ChainInput,
  from: { target: Target; reason: string },
  to: Target,
  tried: string[],
) {
  deps.telemetry.instruments.gatewayFailovers.record(1, {
    [n.ATTR_FAILOVER_FROM]: from.target.provider,
    [n.ATTR_FAILOVER_TO]: to.provider,
    [n.ATTR_REASON]: from.reason,
  });
  input.span.event(n.SPAN_EVENT_FAILOVER, {
    [n.ATTR_FAILOVER_FROM]: from.target.key,
    [n.ATTR_FAILOVER_TO]: to.key,
    [n.ATTR_REASON]: from.reason,
  });
  deps.failoverEvents.publish({
    traceId: input.span.traceId,
    requestedModel: input.clientModel,
    from: from.target.provider,
    to: to.provider,
    reason: from.reason,
    chain: [...tried, to.provider],
  });
  // Stored: the model names (a `*` route passes the client's through) are clipped like any client string.
  const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 119)}…` : text);
  deps.raise({
    kind: 'failover',
    severity: 'warning',
    title: `requests fail over from ${clip(from.target.key)} to ${clip(to.key)} (${from.reason})`,
    subject: from.target.provider,
    detail: {
      from: from.target.provider,
      to: to.provider,
      reason: from.reason,
      model: clip(from.target.model),
      requestedModel: clip(input.clientModel),
      traceId: input.span.traceId,
    },
  });
}

function retried(
  deps: ChainDeps,
  input: ChainInput,
  target: Target,
  failure: Failure,
  attempt: number,
  delay: number,
) {
  deps.telemetry.instruments.gatewayRetries.record(1, {
    ...deps.providerAttributes(target.provider).names,
    // The label the target's state is recorded under: a `*` route's client model is bounded there.
    [n.ATTR_GEN_AI_REQUEST_MODEL]: deps.targets.get(target).target.model,
    [n.ATTR_REASON]: failure.type,
  });
  input.span.event(n.SPAN_EVENT_RETRY, {
    'inferwatch.target': target.key,
    [n.ATTR_REASON]: failure.type,
    [n.ATTR_ATTEMPT]: attempt + 1,
    'inferwatch.retry.delay_ms': delay,
  });
}
