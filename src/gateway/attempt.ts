import type { Context } from '@opentelemetry/api';
import type { Operation } from '../config/provider-types.ts';
import {
  type Completion,
  emptyTally,
  type Failure,
  failure,
  type OpenStream,
  type Provider,
  type StreamEnd,
} from '../providers/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import type { Permit } from './breaker.ts';
import { decide } from './decisions.ts';
import type { Target } from './model-router.ts';
import type { ProviderAttributes } from './provider-attributes.ts';
import type { TargetState } from './targets.ts';
import type { TokenCount } from './tokens.ts';
import { startAttemptSpan } from './tracing.ts';
import { type Accounting, recordUsage } from './usage-record.ts';

export interface AttemptInput {
  provider: Provider;
  /** What to call; `state.target` is what to record it under (the same unless past the target cap). */
  target: Target;
  state: TargetState;
  permit: Permit;
  body: Record<string, unknown>;
  stream: boolean;
  operation: Operation;
  attempt: number;
  signal: AbortSignal;
  parent: Context;
  telemetry: Telemetry;
  accounting: Accounting;
  /** The name of the client's API key (`anonymous` when the gateway is open): a bounded label. */
  client: string;
  /** The bounded metric label for the model the upstream answered with (spans keep the real name). */
  responseModelLabel: (model: string) => string;
  /** How the target's provider is named on spans and metrics. */
  identity: ProviderAttributes;
  /** True once the client has gone: the outcome then says nothing about the target. */
  clientGone: () => boolean;
  /** `retry.failoverOnEmpty`: an empty answer is an `empty_response` failure rather than a success. */
  failEmpty: boolean;
  /** What the attempt consumed, once known (a stream's when it ends): for the client's limits and budgets. */
  onUsage?: ((usage: AttemptUsage) => void) | undefined;
}

/** One attempt's tokens (input + output) and, for a priced model, its cost in USD. */
export interface AttemptUsage {
  tokens: number;
  costUsd: number | undefined;
}

export type AttemptOutcome =
  | { ok: true; kind: 'complete'; completion: Completion; upstreamMs: number }
  | {
      ok: true;
      kind: 'stream';
      stream: OpenStream;
      upstreamMs: number;
      /** This attempt's time until the stream opened (part of upstreamMs). */
      openMs: number;
      finish(end: StreamEnd, output?: string): number;
      /** The tokens `finish()` recorded (reported or estimated), for a usage chunk that adds attempts up. */
      tokens(): TokenCount | undefined;
    }
  | (Failure & { upstreamMs: number });

type Settled = { ok: true; model?: string | undefined; finishReason?: string | undefined } | Failure;

/**
 * One upstream call with its bookkeeping: the CLIENT span, GenAI and attempt metrics, tokens and cost,
 * breaker outcome, recent statistics and the in-flight gauge. A stream's bookkeeping completes in
 * `finish()`, when the relay knows how it ended (abandoned streams included); it returns the attempt's
 * upstream time. Time spent waiting for a request slot is not upstream time: it is reported on its own.
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const { provider, state, permit, stream, telemetry } = input;
  const target: Target = state.target;
  const instruments = telemetry.instruments;
  const operationName = n.operationNames[input.operation];
  const span = startAttemptSpan(telemetry, input.parent, {
    provider: input.identity.withServer,
    model: input.target.model,
    attempt: input.attempt,
    stream,
    input: input.body.messages ?? input.body.input ?? input.body.prompt,
    body: input.body,
    operation: operationName,
  });
  const tally = emptyTally();
  const gapLabels = {
    [n.ATTR_GEN_AI_OPERATION_NAME]: operationName,
    ...input.identity.withServer,
    [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
  };
  // In flight means at the provider: a request still waiting for a slot is counted as queued instead.
  let sentUpstream = false;
  const call = {
    body: { ...input.body, model: input.target.model },
    signal: input.signal,
    headers: span.headers,
    operation: input.operation,
    tally,
    onSent: () => {
      if (sentUpstream) return;
      sentUpstream = true;
      state.inFlight += 1;
    },
    ...(stream
      ? { onOutputGap: (ms: number) => instruments.genAiTimePerOutputChunk.record(ms / 1000, gapLabels) }
      : {}),
  };
  const started = performance.now();
  let recorded: TokenCount | undefined;

  const settle = (result: Settled, output?: string) => {
    const elapsed = performance.now() - started - tally.queuedMs;
    if (sentUpstream) state.inFlight -= 1;
    const cancelled = !result.ok && input.clientGone();
    // A request that never got a slot never reached the provider: nothing about it is the provider's.
    const sent = result.ok || result.type !== 'queue_timeout';
    if (result.ok) permit.success();
    else if (cancelled || !decide(result.type).countsAgainstTarget) permit.neutral();
    else permit.failure();
    // A request the client got wrong (a 400, a model the provider lacks) or one that never got a slot says
    // nothing about the target's health, so it counts in neither its success ratio nor its uptime.
    if (!cancelled && (result.ok || decide(result.type).countsAgainstTarget))
      state.stats.record(elapsed, result.ok);
    const errorType = result.ok ? undefined : cancelled ? 'cancelled' : result.type;
    const responseModel = result.ok ? result.model : undefined;
    const responseLabel = responseModel ? input.responseModelLabel(responseModel) : undefined;
    const labels = {
      [n.ATTR_GEN_AI_OPERATION_NAME]: operationName,
      ...input.identity.withServer,
      [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
      ...(responseLabel ? { [n.ATTR_GEN_AI_RESPONSE_MODEL]: responseLabel } : {}),
      ...(errorType ? { [n.ATTR_ERROR_TYPE]: errorType } : {}),
    };
    if (sent) instruments.genAiDuration.record(elapsed / 1000, labels);
    const limited = provider.load().limit !== null;
    if (limited) {
      instruments.gatewayPoolWait.record(tally.queuedMs / 1000, input.identity.names);
    }
    const usage = recordUsage({
      instruments,
      accounting: input.accounting,
      target,
      provider: input.identity.names,
      responseModel,
      responseLabel,
      labels,
      client: input.client,
      tally,
      body: call.body,
      stream,
    });
    if (usage) input.onUsage?.({ tokens: usage.tokens.input + usage.tokens.output, costUsd: usage.costUsd });
    recorded = usage?.tokens;
    instruments.gatewayAttempts.record(1, {
      ...input.identity.names,
      [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
      [n.ATTR_OUTCOME]: result.ok ? 'success' : 'error',
      ...(errorType ? { [n.ATTR_ERROR_TYPE]: errorType } : {}),
    });
    span.end({
      errorType,
      message: result.ok ? undefined : result.message,
      responseModel,
      tokens: usage?.tokens,
      costUsd: usage?.costUsd,
      poolWaitMs: limited ? tally.queuedMs : undefined,
      finishReason: result.ok ? result.finishReason : undefined,
      output,
    });
    return elapsed;
  };

  if (!stream) {
    const answered = await provider.complete(call).catch(localFailure);
    const result = answered.ok && answered.empty && input.failEmpty ? emptyAnswer(answered.status) : answered;
    const upstreamMs = settle(result, result.ok ? extractText(result.json) : undefined);
    return result.ok
      ? { ok: true, kind: 'complete', completion: result, upstreamMs }
      : { ...result, upstreamMs };
  }
  let opened = await provider.stream(call).catch(localFailure);
  if (opened.ok && opened.empty && input.failEmpty) {
    // Nothing was relayed yet: the stream ended inside the held-back head.
    await opened.chunks.return();
    opened = emptyAnswer(opened.status);
  }
  if (!opened.ok) return { ...opened, upstreamMs: settle(opened) };
  instruments.genAiTimeToFirstChunk.record(opened.timeToFirstChunkMs / 1000, {
    ...gapLabels,
    ...(opened.model ? { [n.ATTR_GEN_AI_RESPONSE_MODEL]: input.responseModelLabel(opened.model) } : {}),
  });
  const openMs = performance.now() - started - tally.queuedMs;
  const model = opened.model;
  return {
    ok: true,
    kind: 'stream',
    stream: opened,
    upstreamMs: openMs,
    openMs,
    finish: (end, output) =>
      settle(end.ok ? { ok: true, model, finishReason: end.finishReason } : end, output),
    tokens: () => recorded,
  };
}

/**
 * A provider promises outcomes as values, so a rejection is a bug of ours (or a resource limit), never the
 * upstream's answer: it settles as `internal`, which neither retries, fails over nor counts against the
 * target, and the permit and in-flight count are released like any other outcome's.
 */
const localFailure = (error: unknown): Failure =>
  failure(
    'internal',
    `the provider call threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );

const emptyAnswer = (status: number): Failure =>
  failure('empty_response', 'the upstream answered with no content, tool call or refusal', { status });

/** The assistant's text from a chat completion (for /api/chat and opt-in content capture). */
export function extractText(json: Record<string, unknown>): string {
  const choices = json.choices as { message?: { content?: unknown } }[] | undefined;
  const content = choices?.[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}
