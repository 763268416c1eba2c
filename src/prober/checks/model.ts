import { Readable } from 'node:stream';
import {
  classifyNetworkError,
  classifyResponse,
  type Failure,
  failure,
  readText,
  startAttempt,
} from '../../providers/index.ts';
import { judgeCanary } from './canary.ts';
import { type Answer, readJsonAnswer, readStreamAnswer } from './model-answer.ts';
import type { Check, CheckOutcome, ResolvedModelCheck } from './types.ts';

/** Marks probe traffic so the gateway and the upstream's dashboards can tell it from users'. */
export const SYNTHETIC_HEADER = 'x-inferwatch-synthetic';

/** An error body is read this far for its class; a JSON answer up to the larger bound. */
const MAX_ERROR_BYTES = 64 * 1024;
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The answer's body as a Node stream (what the shared readers take); none reads as empty. */
export const bodyOf = (body: AsyncIterable<Uint8Array> | null): Readable =>
  Readable.from(body ?? [], { objectMode: false });

/**
 * A minimal chat completion. TTFT is the time from sending the request to the first SSE chunk whose
 * `choices[0].delta.content` is non-empty (role-only and empty chunks do not count); output tokens/s is
 * output tokens / (total − TTFT), from `usage` when the stream reports it, else one per content chunk.
 * The phases are timed by the gateway's own attempt timers and failures classified by the shared
 * classifier, so a probe and a client request that meet the same fault report the same class.
 */
export const modelCheck: Check<ResolvedModelCheck> = async (check, deps) => {
  const { clock } = deps;
  const start = clock();
  const endpoint = check.endpoint();
  // A stop of the prober (deps.signal) aborts as timeout_total; the prober drops that result.
  const timers = startAttempt(check.timeoutMs, deps.signal);
  timers.awaitFirst(check.firstTokenTimeoutMs ?? check.timeoutMs);
  const prompt = check.canary?.prompt ?? check.prompt;
  const base = { model: check.model };
  const fail = (failed: Failure, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
    ...base,
    success: false,
    errorType: failed.type,
    message: failed.message,
    durationMs: clock() - start,
    ...extra,
  });
  // Whoever fired first names the failure: a timer's phase, or what the network said.
  const thrown = (error: unknown, midStream: boolean) => {
    const timedOut = timers.reason();
    return timedOut
      ? failure(
          timedOut,
          timedOut === 'timeout_total' ? `over ${check.timeoutMs} ms` : 'no first token in time',
        )
      : classifyNetworkError(error, { midStream });
  };
  let status: number | undefined;
  try {
    const res = await deps.fetch(`${endpoint.baseURL.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: check.stream ? 'text/event-stream' : 'application/json',
        ...endpoint.headers,
        ...check.headers,
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
        [SYNTHETIC_HEADER]: '1',
      },
      body: JSON.stringify({
        model: check.model,
        messages: [{ role: 'user', content: prompt }],
        max_tokens: check.maxTokens,
        temperature: 0,
        stream: check.stream,
        ...(check.stream ? { stream_options: { include_usage: true } } : {}),
      }),
      signal: timers.signal,
      dispatcher: deps.dispatcher,
    });
    status = res.status;
    if (res.status < 200 || res.status >= 300) {
      const text = await readText(bodyOf(res.body), MAX_ERROR_BYTES);
      const failed =
        typeof text === 'string' ? classifyResponse(res.status, res.headers, text, deps.now) : text;
      return fail(failed, { statusCode: res.status });
    }
    let answer: Answer;
    if (check.stream) {
      answer = await readStreamAnswer(bodyOf(res.body), timers, clock, () =>
        timers.gotFirst(check.timeoutMs),
      );
    } else {
      // As the gateway times a JSON answer: the first-token phase ends with the headers.
      timers.gotFirst(check.timeoutMs);
      const text = await readText(bodyOf(res.body), MAX_ANSWER_BYTES);
      answer =
        typeof text === 'string'
          ? readJsonAnswer(text, res.headers, deps.now)
          : { content: '', contentChunks: 0, done: false, failure: text };
    }
    const durationMs = clock() - start;
    const ttftMs = answer.firstContentAt === undefined ? undefined : answer.firstContentAt - start;
    const outputTokens = answer.usage?.outputTokens ?? answer.contentChunks;
    const generating = ttftMs === undefined ? 0 : durationMs - ttftMs;
    const measured: CheckOutcome = {
      ...base,
      success: true,
      statusCode: res.status,
      durationMs,
      ttftMs,
      outputTokens,
      inputTokens: answer.usage?.inputTokens,
      tokensPerSecond: generating > 0 && outputTokens > 0 ? outputTokens / (generating / 1000) : undefined,
      finishReason: answer.finishReason,
      done: check.stream ? answer.done : undefined,
    };
    if (answer.failure) {
      return { ...measured, success: false, errorType: answer.failure.type, message: answer.failure.message };
    }
    if (answer.content.trim() === '') {
      return {
        ...measured,
        success: false,
        errorType: 'empty_response',
        message: 'no content in the answer',
      };
    }
    if (!check.canary) return measured;
    const canaryPassed = judgeCanary(check.canary.expect, answer.content);
    if (canaryPassed || !check.canary.failProbe) return { ...measured, canaryPassed };
    return {
      ...measured,
      canaryPassed,
      success: false,
      errorType: 'canary_failed',
      message: 'canary answer did not match',
    };
  } catch (error) {
    // Headers arrived, then the body broke: a lost connection there is a cut answer.
    return fail(thrown(error, status !== undefined), status === undefined ? {} : { statusCode: status });
  } finally {
    timers.dispose();
  }
};
