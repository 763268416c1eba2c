import type { FailureType } from '../../providers/failure.ts';
import { SseParser } from '../../providers/sse.ts';
import { classifyError, classifyStatus } from '../classify.ts';
import { judgeCanary } from './canary.ts';
import { type Answer, readJsonAnswer, readStreamAnswer } from './model-answer.ts';
import type { Check, CheckOutcome, ResolvedModelCheck } from './types.ts';

/** Marks probe traffic so the gateway and the upstream's dashboards can tell it from users'. */
export const SYNTHETIC_HEADER = 'x-inferwatch-synthetic';

type Stage = 'first_token' | 'total';
const timeoutTypes = { first_token: 'timeout_first_token', total: 'timeout_total' } as const satisfies Record<
  Stage,
  FailureType
>;

/**
 * A minimal chat completion. TTFT is the time from sending the request to the first SSE chunk whose
 * `choices[0].delta.content` is non-empty (role-only and empty chunks do not count); output tokens/s is
 * output tokens / (total − TTFT), from `usage` when the stream reports it, else one per content chunk.
 */
export const modelCheck: Check<ResolvedModelCheck> = async (check, deps) => {
  const { clock, signal } = deps;
  const start = clock();
  const endpoint = check.endpoint();
  const controller = new AbortController();
  let stage = 'first_token' as Stage;
  const abortAs = (which: Stage) => () => {
    stage = which;
    controller.abort();
  };
  const firstTokenTimer = setTimeout(abortAs('first_token'), check.firstTokenTimeoutMs ?? check.timeoutMs);
  const totalTimer = setTimeout(abortAs('total'), check.timeoutMs);
  const onAbort = abortAs('total');
  signal?.addEventListener('abort', onAbort, { once: true });
  const prompt = check.canary?.prompt ?? check.prompt;
  const base = { model: check.model };
  const fail = (
    errorType: FailureType,
    message: string,
    extra: Partial<CheckOutcome> = {},
  ): CheckOutcome => ({
    ...base,
    success: false,
    errorType,
    message,
    durationMs: clock() - start,
    ...extra,
  });
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
      signal: controller.signal,
      dispatcher: deps.dispatcher,
    });
    status = res.status;
    if (res.status < 200 || res.status >= 300) {
      const text = (await res.text()).slice(0, 2048);
      return fail(classifyStatus(res.status, { model: true, body: text }), `status ${res.status}`, {
        statusCode: res.status,
      });
    }
    const onFirstContent = () => clearTimeout(firstTokenTimer);
    const answer: Answer = check.stream
      ? await readStreamAnswer(res.body, new SseParser(), clock, onFirstContent)
      : await readJsonAnswer(res);
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
    if (answer.failure) return { ...measured, success: false, ...answer.failure };
    if (check.stream && !answer.done && answer.finishReason === undefined) {
      return { ...measured, success: false, errorType: 'stream_cut', message: 'stream ended without [DONE]' };
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
    if (controller.signal.aborted) {
      return fail(
        timeoutTypes[stage],
        stage === 'total' ? `over ${check.timeoutMs} ms` : 'no first token in time',
      );
    }
    // Headers arrived, then the body broke: the stream was cut, whatever the socket error says.
    if (status !== undefined) return fail('stream_cut', (error as Error).message, { statusCode: status });
    return fail(classifyError(error), (error as Error).message);
  } finally {
    clearTimeout(firstTokenTimer);
    clearTimeout(totalTimer);
    signal?.removeEventListener('abort', onAbort);
  }
};
