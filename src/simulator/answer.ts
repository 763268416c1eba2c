import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnswerPlan } from './faults.ts';

/** One request's response side: the response, a signal that fires when the client goes away, and a cut. */
export interface Exchange {
  res: ServerResponse;
  signal: AbortSignal;
  /** Destroys the socket on purpose (a fault), so it is not counted as a client abort. */
  cut(): void;
}

export interface Answer {
  id: string;
  created: number;
  model: string;
  tokens: string[];
  promptTokens: number;
  finishReason: 'stop' | 'length';
  includeUsage: boolean;
}

const fingerprint = 'fp_inferwatch_sim';

/** Resolves true after `ms`, or false as soon as the client has gone away. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Never answers; returns once the client (or the simulator's close) gives up. */
export function hang(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

const interval = (plan: AnswerPlan) =>
  plan.tokensPerSecond > 0 && Number.isFinite(plan.tokensPerSecond) ? 1000 / plan.tokensPerSecond : 0;

const usage = (answer: Answer) => ({
  prompt_tokens: answer.promptTokens,
  completion_tokens: answer.tokens.length,
  total_tokens: answer.promptTokens + answer.tokens.length,
});

/** SSE exactly as OpenAI sends it: a role chunk, one chunk per token, a finish chunk, usage, [DONE]. */
export async function streamAnswer(exchange: Exchange, answer: Answer, plan: AnswerPlan): Promise<void> {
  const { res, signal } = exchange;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // Headers go out at once, so a slow first token is a first-token delay, not a header delay.
  res.flushHeaders();
  const base = {
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
  };
  const extra = answer.includeUsage ? { usage: null } : {};
  const send = (delta: object, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, system_fingerprint: fingerprint, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra })}\n\n`,
    );
  const malformed = () => res.write('data: {"id":"chatcmpl-sim","choices":[{"delta":{"content":\n\n');

  if (!(await pause(plan.ttftMs, signal))) return;
  send({ role: 'assistant', content: '', refusal: null });
  if (plan.malformed && answer.tokens.length === 0) malformed();
  const step = interval(plan);
  for (let sent = 0; sent <= answer.tokens.length; sent++) {
    if (plan.cutAfter !== undefined && sent >= plan.cutAfter) return exchange.cut();
    if (plan.stallAfter !== undefined && sent >= plan.stallAfter) return hang(signal);
    if (sent === answer.tokens.length) break;
    if (sent > 0 && !(await pause(step, signal))) return;
    send({ content: answer.tokens[sent] });
    if (plan.malformed && sent === 0) malformed();
  }
  if (plan.ending !== 'no-done-cut') {
    send({}, answer.finishReason);
    if (answer.includeUsage) {
      res.write(
        `data: ${JSON.stringify({ ...base, system_fingerprint: fingerprint, choices: [], usage: usage(answer) })}\n\n`,
      );
    }
  }
  if (plan.ending === 'done') res.write('data: [DONE]\n\n');
  res.end();
}

/** A `chat.completion` object after the whole generation time (ttft + tokens at the token rate). */
export async function sendAnswer(exchange: Exchange, answer: Answer, plan: AnswerPlan): Promise<void> {
  const { res, signal } = exchange;
  if (!(await pause(plan.ttftMs + answer.tokens.length * interval(plan), signal))) return;
  const body = JSON.stringify({
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    system_fingerprint: fingerprint,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.tokens.join(''), refusal: null },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: usage(answer),
  });
  const broken = plan.cutAfter !== undefined || plan.stallAfter !== undefined;
  if (plan.malformed) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body.slice(0, Math.floor(body.length / 2)));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  if (!broken) {
    res.end(body);
    return;
  }
  // A body that stops half-way: cut closes the socket, stall keeps it open and silent.
  res.write(body.slice(0, Math.floor(body.length / 2)));
  if (plan.cutAfter !== undefined) return exchange.cut();
  return hang(signal);
}
