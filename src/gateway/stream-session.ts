import type { ChunkSource, Failure, StreamChunk, StreamEnd } from '../providers/index.ts';
import type { ChainDeps, ChainInput } from './chain.ts';
import { decide } from './decisions.ts';
import type { Target } from './model-router.ts';
import type { RequestScope } from './request.ts';
import type { ClientFailure } from './responses.ts';
import { type Break, type ResumeMethod, recordResumption, reopen, type ServedStream } from './resume.ts';
import { createSplice, type Identity, identityFields, type Splice } from './splice.ts';
import type { TokenCount } from './tokens.ts';
import { createTranscript } from './transcript.ts';

/**
 * The text a stream may have sent and still be resumed: the whole of it is held to compare a replay
 * against, so a runaway answer cannot grow the gateway's memory without bound.
 */
export const MAX_RESUMABLE_CHARS = 1_000_000;

export interface StreamSession {
  /** What the relay sends the client: the served stream, continued on another target if it breaks. */
  chunks: ChunkSource;
  /** After the relay: closes the attempt still open; what the request spent upstream and who answered last. */
  finish(
    end: StreamEnd,
    output: string | undefined,
  ): { upstreamMs: number; target: Target; failedOver: boolean };
}

type ChoiceJson = { delta?: Record<string, unknown> | null; finish_reason?: unknown } | undefined;

/** A resumption under way: until it has caught up, its deadline runs and its outcome is open. */
interface Pending extends Break {
  method: ResumeMethod;
  to: Target;
  stopDeadline(): void;
}

/**
 * One client stream across the attempts that produce it. With `retry.resumeStreams` off (or a request
 * that cannot be resumed: several choices) it is the served stream as it is. Otherwise every chunk the
 * client receives is recorded (transcript.ts), and a stream that breaks after its first byte, for a
 * reason that would fail over before it, continues on the next target (resume.ts, splice.ts), at most
 * `retry.maxStreamResumptions` times, inside `retry.deadlineMs` and the broken provider's retry budget.
 */
export function createStreamSession(
  deps: ChainDeps,
  scope: RequestScope,
  body: Record<string, unknown>,
  served: ServedStream,
  /** Charges what each resumed attempt consumed to the client's limits and budgets, like the first one. */
  onUsage?: ChainInput['onUsage'],
): StreamSession {
  const { config } = deps;
  let current = served;
  let open = true;
  let upstreamMs = served.upstreamMs - served.openMs;
  let failedOver = served.failedOver;
  const close = (end: StreamEnd, output?: string) => {
    if (!open) return;
    open = false;
    upstreamMs += current.finish(end, output);
  };
  const summary = () => ({ upstreamMs, target: current.target, failedOver });
  const several = typeof body.n === 'number' && body.n > 1;
  if (config.retry.resumeStreams === 'off' || several) {
    return {
      chunks: served.stream.chunks,
      finish(end, output) {
        close(end, output);
        return summary();
      },
    };
  }

  const transcript = createTranscript();
  const identity: Identity = {};
  let identified = false;
  let finishSent = false;
  let source = served.stream.chunks;
  let splice: Splice | undefined;
  let pending: Pending | undefined;
  let resumptions = 0;
  const exclude = new Set(served.called);
  const earlier: TokenCount[] = [];

  const observe = (batch: StreamChunk[]) => {
    for (const { json } of batch) {
      if (!identified && typeof json.id === 'string') {
        identified = true;
        for (const field of identityFields) if (field in json) identity[field] = json[field];
      }
      const choice = (json.choices as ChoiceJson[] | undefined)?.[0];
      if (choice === undefined) continue;
      const delta = choice.delta;
      if (typeof delta === 'object' && delta !== null && transcript.chars <= MAX_RESUMABLE_CHARS)
        transcript.add(delta);
      if (choice.finish_reason) finishSent = true;
    }
  };

  const settle = (outcome: 'resumed' | 'diverged' | 'exhausted', why?: string) => {
    if (!pending) return;
    pending.stopDeadline();
    recordResumption(deps, scope, pending, { outcome, method: pending.method, to: pending.to, why });
    pending = undefined;
  };

  /** Splices one batch of the replacement stream; a divergence ends the stream at once. */
  const spliceBatch = async (batch: StreamChunk[], using: Splice): Promise<StreamChunk[] | ClientFailure> => {
    const out: StreamChunk[] = [];
    for (const chunk of batch) {
      const step = using.chunk(chunk);
      if (!step.ok) return diverge(step.offset, step.why);
      if (step.chunk) out.push(step.chunk);
    }
    if (using.caughtUp && pending) settle('resumed');
    return out;
  };

  const diverge = async (offset: number, why: string, end?: StreamEnd): Promise<ClientFailure> => {
    const broke = pending as Pending;
    await source.return();
    // The replacement answered; it only answered differently, which says nothing against its health.
    close(end ?? { ok: true, done: false, finishReason: undefined, usage: undefined });
    settle('diverged', `${why} (character ${offset} of ${broke.offset} sent)`);
    return {
      ...broke.failure,
      code: 'stream_resume_diverged',
      resumption: `Resuming it on the next target stopped: the new answer differed from what was already sent at character ${offset}, so the stream ends here.`,
    };
  };

  /** After the served stream broke: continue it on the next target, or say why not. */
  const resume = async (failure: Failure): Promise<ClientFailure | undefined> => {
    const from = current.target;
    close(failure, deps.telemetry.captureContent ? transcript.content() : undefined);
    const tokens = current.tokens();
    if (tokens) earlier.push(tokens);
    // A replacement that broke before catching up ends its resumption; one more is a new resumption.
    const midway = pending !== undefined;
    if (pending && scope.clientGone()) {
      // The client left while the replacement caught up: nothing was decided, so nothing is counted.
      pending.stopDeadline();
      pending = undefined;
    }
    if (pending) settle('exhausted', `the next target failed too (${failure.type})`);
    if (scope.clientGone() || finishSent || !decide(failure.type).failover) return failure;
    const at: Break = { from, failure, offset: transcript.chars };
    // The client learns why in the gateway's own words; an upstream's error text stays withheld.
    const give = (why: string): ClientFailure => {
      if (midway)
        return {
          ...failure,
          resumption: `The target it was resumed on failed too before repeating what was already sent; not resumed again: ${why}.`,
        };
      recordResumption(deps, scope, at, { outcome: 'exhausted', method: 'replay', why });
      return { ...failure, resumption: `It was not resumed: ${why}.` };
    };
    if (resumptions >= config.retry.maxStreamResumptions)
      return give(`retry.maxStreamResumptions (${config.retry.maxStreamResumptions}) reached`);
    if (transcript.chars > MAX_RESUMABLE_CHARS)
      return give(`more than ${MAX_RESUMABLE_CHARS} characters were sent, too many to replay`);
    const remaining = scope.deadlineAt - performance.now();
    if (remaining <= 0) return give('retry.deadlineMs has passed');
    if (!deps.budget(from.provider).tryRetry(deps.now()))
      return give(`the retry budget of ${from.provider} is spent`);
    resumptions += 1;
    // The deadline bounds the wait for the continuation (the client receives nothing meanwhile), not the
    // rest of the answer once it flows again: as for any stream, the provider's totalMs does that.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('deadline passed')), remaining);
    const signal = AbortSignal.any([scope.signal, deadline.signal]);
    const onlyText = transcript.parts.every((part) => part.key === 'content');
    const found = await reopen(
      deps,
      scope,
      { body, clientModel: body.model as string, signal, onUsage },
      { ...at, exclude, content: onlyText ? transcript.content() : undefined },
    );
    if (!found.ok) {
      clearTimeout(timer);
      if (scope.clientGone()) return failure;
      const outcome = found.outcome;
      const why = outcome.ok
        ? 'the next target did not stream'
        : outcome.reason === 'failed'
          ? performance.now() >= scope.deadlineAt
            ? 'retry.deadlineMs passed before the next target had caught up'
            : `the next target failed too (${outcome.failure.type})`
          : outcome.reason === 'all_targets_unavailable' || outcome.reason === 'no_route'
            ? 'no other target is available'
            : 'the client left';
      return give(why);
    }
    current = found.served;
    open = true;
    failedOver = true;
    upstreamMs += current.upstreamMs - current.openMs;
    source = current.stream.chunks;
    splice = createSplice({
      identity,
      received: found.method === 'prefill' ? [] : transcript.parts,
      earlier,
    });
    pending = { ...at, method: found.method, to: current.target, stopDeadline: () => clearTimeout(timer) };
    if (splice.caughtUp) settle('resumed');
    return undefined;
  };

  /** The general path: a replacement being spliced in, or an end to act on. */
  const slow = async (
    first: IteratorResult<StreamChunk[], StreamEnd>,
  ): Promise<IteratorResult<StreamChunk[], StreamEnd>> => {
    for (let step = first; ; step = await source.next()) {
      if (!step.done) {
        const batch = splice ? await spliceBatch(step.value, splice) : step.value;
        if (!Array.isArray(batch)) return { done: true, value: batch };
        observe(batch);
        if (batch.length > 0) return { done: false, value: batch };
        continue;
      }
      const end = step.value;
      if (end.ok) {
        if (splice && pending && !splice.caughtUp) {
          return {
            done: true,
            value: await diverge(pending.offset, 'the answer ended before repeating what was sent', end),
          };
        }
        return { done: true, value: end };
      }
      const stopped = await resume(end);
      if (stopped) return { done: true, value: stopped };
    }
  };
  // Every batch of every stream passes here: the served stream's batches go out as they came, recorded,
  // without the general path's extra promise.
  const onStep = (step: IteratorResult<StreamChunk[], StreamEnd>) => {
    if (step.done || splice) return slow(step);
    observe(step.value);
    return step;
  };
  const chunks: ChunkSource = {
    next: () => source.next().then(onStep),
    return: () => source.return(),
  };

  return {
    chunks,
    finish(end, output) {
      close(end, output);
      pending?.stopDeadline();
      return summary();
    },
  };
}
