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
  /** The stop sequence that ended the answer early, when one did (Anthropic reports which). */
  stopSequence?: string | undefined;
  includeUsage: boolean;
}

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

export const interval = (plan: AnswerPlan) =>
  plan.tokensPerSecond > 0 && Number.isFinite(plan.tokensPerSecond) ? 1000 / plan.tokensPerSecond : 0;

/** After the end marker: the response ends at once, after a linger, or never (keep-alive comments until cut off). */
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

/**
 * How one wire format writes a streamed answer: the runner decides when (timing and faults), the wire
 * what the bytes are. OpenAI chat, text completions, the Responses API and Anthropic's Messages API each
 * have one (wire/), so every fault behaves the same in every format.
 */
export interface StreamWire {
  /** Everything before the first token: a role chunk, message_start, response.created. */
  open(): void;
  /** One token of content; false when the connection's buffer is full. */
  token(text: string): boolean;
  /** A line that is not valid JSON. */
  malformed(): void;
  /** The in-band error event that ends a stream that failed mid-generation (the response ends with it). */
  errorEvent(): void;
  /** The finish: finish_reason and usage, message_delta, the completed output. */
  finish(): void;
  /** The stream's end marker: [DONE], message_stop, response.completed. */
  terminate(): void;
}

/** Writes a streamed answer through `wire`, with the plan's timing and faults applied. */
export async function runStream(
  exchange: Exchange,
  answer: Answer,
  plan: AnswerPlan,
  wire: StreamWire,
): Promise<void> {
  const { res, signal } = exchange;
  // No `connection` header: HTTP/1.1 keeps the connection alive by default, and HTTP/2 forbids the header.
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  // Headers go out at once, so a slow first token is a first-token delay, not a header delay.
  // HTTP/2's compatibility response sends its headers in writeHead and has no flushHeaders.
  if (typeof res.flushHeaders === 'function') res.flushHeaders();
  if (plan.cutAfterHeaders) return exchange.cut();
  const malformedAfter = plan.malformed ? 1 : plan.malformedAfter;

  if (!(await pause(plan.ttftMs, signal))) return;
  wire.open();
  // At 0, or when the answer is too short to reach the count, the broken line comes before any content.
  if (malformedAfter !== undefined && (malformedAfter === 0 || answer.tokens.length < malformedAfter))
    wire.malformed();
  const step = interval(plan);
  for (let sent = 0; sent <= answer.tokens.length; sent++) {
    if (plan.cutAfter !== undefined && sent >= plan.cutAfter) return exchange.cut();
    if (plan.stallAfter !== undefined && sent >= plan.stallAfter) return hang(signal);
    if (plan.errorEventAfter !== undefined && sent >= plan.errorEventAfter) {
      // How providers fail mid-generation: an error event where the next chunk would be, then the end.
      wire.errorEvent();
      res.end();
      return;
    }
    if (sent === answer.tokens.length) break;
    if (sent > 0 && !(await pause(step, signal))) return;
    // Like a well-behaved server, a full connection is waited for rather than buffered without bound.
    if (!wire.token(answer.tokens[sent] ?? '') && !(await drained(res, signal))) return;
    if (malformedAfter !== undefined && malformedAfter > 0 && sent + 1 === malformedAfter) wire.malformed();
  }
  if (plan.ending !== 'no-done-cut' && plan.shape !== 'no-choices') wire.finish();
  if (plan.ending === 'done') {
    wire.terminate();
    return endAfterDone(exchange, plan);
  }
  res.end();
}

/** A JSON answer (already serialised) after the whole generation time, with the plan's body faults. */
export async function sendBody(
  exchange: Exchange,
  body: string,
  tokens: number,
  plan: AnswerPlan,
): Promise<void> {
  const { res, signal } = exchange;
  if (!(await pause(plan.ttftMs + tokens * interval(plan), signal))) return;
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
