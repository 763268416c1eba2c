import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnswerPlan } from './faults.ts';

/** One request's response side: the response, a signal that fires when the client goes away, and a cut. */
export interface Exchange {
  /** An HTTP/1.1 response, or an HTTP/2 one seen through the same methods (chat.ts `asHttp1`). */
  res: ServerResponse;
  signal: AbortSignal;
  /**
   * Destroys the socket on purpose (a fault), so it is not counted as a client abort. With `farewell`,
   * those raw bytes are written first and the socket then ends cleanly.
   */
  cut(farewell?: string): void;
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

/** Resolves true once a full response can take more, false when the client went away first. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (value: boolean) => {
      res.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onDrain = () => settle(true);
    const onAbort = () => settle(false);
    res.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
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

/** The one tool call a `tool-call` answer carries instead of text. */
const toolCall = { id: 'call_sim1', type: 'function', function: { name: 'lookup', arguments: '{}' } };

/** A `tool-stream` answer's call: its id differs per answer, as a real provider's does. */
const streamedToolCall = (answer: Answer) => ({ id: `call_${answer.id.slice(-12)}`, type: 'function' });

/** After [DONE]: the response ends at once, after a linger, or never (keep-alive comments until cut off). */
async function endAfterDone(exchange: Exchange, plan: AnswerPlan): Promise<void> {
  const { res, signal } = exchange;
  const after = plan.afterDone;
  if (after === 'chatter') {
    while (!res.destroyed && (await pause(50, signal))) res.write(': still here\n\n');
    return;
  }
  if (after && !(await pause(after.lingerMs, signal))) return;
  res.end();
}

/** SSE exactly as OpenAI sends it: a role chunk, one chunk per token, a finish chunk, usage, [DONE]. */
export async function streamAnswer(exchange: Exchange, answer: Answer, plan: AnswerPlan): Promise<void> {
  const { res, signal } = exchange;
  // No `connection` header: HTTP/1.1 keeps the connection alive by default, and HTTP/2 forbids the header.
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  // Headers go out at once, so a slow first token is a first-token delay, not a header delay.
  // HTTP/2's compatibility response sends its headers in writeHead and has no flushHeaders.
  if (typeof res.flushHeaders === 'function') res.flushHeaders();
  if (plan.cutAfterHeaders) return exchange.cut();
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
  const malformedAfter = plan.malformed ? 1 : plan.malformedAfter;

  if (!(await pause(plan.ttftMs, signal))) return;
  if (plan.azurePreamble) {
    const filter = { prompt_index: 0, content_filter_results: {} };
    res.write(
      `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [filter] })}\n\n`,
    );
  }
  if (plan.shape !== 'no-choices') send({ role: 'assistant', content: '', refusal: null });
  if (plan.shape === 'tool-call') send({ tool_calls: [{ index: 0, ...toolCall }] });
  const streamsTool = plan.shape === 'tool-stream';
  if (streamsTool)
    send({
      tool_calls: [{ index: 0, ...streamedToolCall(answer), function: { name: 'lookup', arguments: '' } }],
    });
  const piece = (token: string | undefined) =>
    streamsTool ? { tool_calls: [{ index: 0, function: { arguments: token } }] } : { content: token };
  // At 0, or when the answer is too short to reach the count, the broken line comes before any content.
  if (malformedAfter !== undefined && (malformedAfter === 0 || answer.tokens.length < malformedAfter))
    malformed();
  const step = interval(plan);
  for (let sent = 0; sent <= answer.tokens.length; sent++) {
    if (plan.cutAfter !== undefined && sent >= plan.cutAfter) return exchange.cut();
    if (plan.stallAfter !== undefined && sent >= plan.stallAfter) return hang(signal);
    if (plan.errorEventAfter !== undefined && sent >= plan.errorEventAfter) {
      // How providers fail mid-generation: an error object where the next chunk would be, then the end.
      const error = {
        message:
          'The server had an error while processing your request: worker gpu-17.internal crashed (simulated).',
        type: 'server_error',
        code: 'server_error',
      };
      res.end(`data: ${JSON.stringify({ error })}\n\n`);
      return;
    }
    if (sent === answer.tokens.length) break;
    if (sent > 0 && !(await pause(step, signal))) return;
    // Like a well-behaved server, a full connection is waited for rather than buffered without bound.
    if (!send(piece(answer.tokens[sent])) && !(await drained(res, signal))) return;
    if (malformedAfter !== undefined && malformedAfter > 0 && sent + 1 === malformedAfter) malformed();
  }
  if (plan.ending !== 'no-done-cut' && plan.shape !== 'no-choices') {
    send({}, finishReason(answer, plan));
    if (answer.includeUsage) {
      res.write(
        `data: ${JSON.stringify({ ...base, system_fingerprint: fingerprint, choices: [], usage: usage(answer) })}\n\n`,
      );
    }
  }
  if (plan.ending === 'done') res.write('data: [DONE]\n\n');
  if (plan.ending === 'done') return endAfterDone(exchange, plan);
  res.end();
}

const finishReason = (answer: Answer, plan: AnswerPlan) =>
  plan.shape === 'tool-call' || plan.shape === 'tool-stream'
    ? 'tool_calls'
    : plan.shape === 'empty-length'
      ? 'length'
      : answer.finishReason;

/** The `choices` of a JSON answer, by the plan's shape. */
function choices(answer: Answer, plan: AnswerPlan) {
  if (plan.shape === 'no-choices') return [];
  const streamed = {
    ...streamedToolCall(answer),
    function: { name: 'lookup', arguments: answer.tokens.join('') },
  };
  const message =
    plan.shape === 'tool-call'
      ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null }
      : plan.shape === 'tool-stream'
        ? { role: 'assistant', content: null, tool_calls: [streamed], refusal: null }
        : { role: 'assistant', content: answer.tokens.join(''), refusal: null };
  return [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer, plan) }];
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
    choices: choices(answer, plan),
    usage: usage(answer),
  });
  const broken = plan.cutAfter !== undefined || plan.stallAfter !== undefined;
  if (plan.malformed || plan.malformedAfter !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body.slice(0, Math.floor(body.length / 2)));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  if (plan.cutAfterHeaders) {
    if (typeof res.flushHeaders === 'function') res.flushHeaders();
    return exchange.cut();
  }
  if (plan.trickleMs !== undefined) {
    const quarter = Math.ceil(body.length / 4);
    for (let piece = 0; piece < 4; piece += 1) {
      if (piece > 0 && !(await pause(plan.trickleMs, signal))) return;
      res.write(body.slice(piece * quarter, (piece + 1) * quarter));
    }
    res.end();
    return;
  }
  if (!broken) {
    res.end(body);
    return;
  }
  // A body that stops half-way: cut closes the socket, stall keeps it open and silent.
  res.write(body.slice(0, Math.floor(body.length / 2)));
  if (plan.cutAfter !== undefined) return exchange.cut();
  return hang(signal);
}
