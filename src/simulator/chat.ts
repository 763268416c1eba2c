import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { errorBody, type HttpError } from '../http/index.ts';
import { type Exchange, hang, pause } from './answer.ts';
import type { AnswerPlan, Plan } from './faults.ts';
import type { Instance } from './instances.ts';
import type { ChatRequest } from './replies.ts';
import { activeMode, runtimePlan } from './runtime-faults.ts';

export interface ChatDeps {
  now: () => number;
  random: () => number;
  defaultReply: string;
  ttftMs: number;
  tokensPerSecond: number;
  /** Open exchanges, so close() can end the silent ones. */
  open: Set<() => void>;
  /** A short unique id per request (`chatcmpl-<id>`, `req_<id>`). */
  nextId: () => string;
  /** Base model names served; any other answers 404 `model_not_found`, as a real provider does. */
  models: ReadonlySet<string>;
  /** Scripted content: a reply for this request, or undefined for the deterministic default. */
  reply?: ((request: ChatRequest) => string | undefined) | undefined;
}

/**
 * The chat and models routes use only what HTTP/1.1 (node:http, express) and HTTP/2 (node:http2's
 * compatibility API) requests and responses share, so the same handler serves both; an HTTP/2 pair is
 * typed as its HTTP/1.1 counterpart where it enters (`asHttp1`).
 */
export type SimRequest = IncomingMessage;
export type SimResponse = ServerResponse;

export const asHttp1 = (req: Http2ServerRequest, res: Http2ServerResponse) => ({
  req: req as unknown as SimRequest,
  res: res as unknown as SimResponse,
});

function sendJson(res: SimResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: SimResponse, error: HttpError): void {
  sendJson(res, error.status, errorBody(error), error.headers);
}

const credentials = new Set(['authorization', 'api-key', 'x-api-key', 'cookie']);

export function recordHeaders(headers: SimRequest['headers']): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    recorded[name] = credentials.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return recorded;
}

/**
 * Before any byte: a TCP reset (the client sees ECONNRESET). After bytes were written: flush them, then
 * close mid-body, so the client receives exactly what was sent and then a truncated stream.
 */
export function breakConnection(res: SimResponse): void {
  // One HTTP/2 stream among many on the connection: reset that stream (RST_STREAM), not the shared socket.
  // close() with writes still buffered waits for the stream to finish, which a cut stream never does, so
  // the reset goes out once what was written is flushed.
  const { stream } = res as unknown as Partial<Http2ServerResponse>;
  if (stream) {
    if (stream.writableLength === 0) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    else stream.write(Buffer.alloc(0), () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    return;
  }
  const socket = res.socket;
  if (!socket || socket.destroyed) res.destroy();
  else if (!res.headersSent) socket.resetAndDestroy();
  else socket.end(() => socket.destroy());
}

/** What a client meets when the port serves something else (an SSH banner): its HTTP parser refuses it. */
function speakAnotherProtocol(exchange: Exchange): void {
  exchange.cut('SSH-2.0-OpenSSH_9.6\r\n');
}

/** Tracks one response: stats on close, abort detection, and a cut that is not counted as an abort. */
export function openExchange(instance: Instance, res: SimResponse, open: Set<() => void>): Exchange {
  const controller = new AbortController();
  let cutOnPurpose = false;
  const cut = (farewell?: string) => {
    if (!cutOnPurpose) instance.stats.cut++;
    cutOnPurpose = true;
    const socket = res.socket;
    if (farewell !== undefined && socket && !socket.destroyed && !res.headersSent) {
      socket.end(farewell, () => socket.destroy());
    } else breakConnection(res);
  };
  instance.stats.requests++;
  instance.stats.inFlight++;
  open.add(cut);
  res.once('close', () => {
    const { stats } = instance;
    open.delete(cut);
    stats.inFlight--;
    if (res.headersSent) stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
    if (res.writableFinished) stats.completed++;
    else if (!cutOnPurpose) stats.aborted++;
    controller.abort();
  });
  return { res, signal: controller.signal, cut };
}

/** The runtime faults' decision for this request; also used by `/v1/models` so an outage covers it. */
export function decide(instance: Instance, deps: ChatDeps): Plan {
  const base: AnswerPlan = { ttftMs: deps.ttftMs, tokensPerSecond: deps.tokensPerSecond, ending: 'done' };
  const mode = activeMode(instance.faults, instance.since, deps.now(), deps.random);
  return runtimePlan(instance.faults, base, mode);
}

/** Executes the plans that are not answers (errors in the format's shape); false when the caller should answer. */
export async function failIfPlanned(
  plan: Plan,
  exchange: Exchange,
  send: (res: SimResponse, error: HttpError) => void = sendError,
): Promise<boolean> {
  if (plan.kind === 'error') send(exchange.res, plan.error);
  else if (plan.kind === 'reset') exchange.cut();
  else if (plan.kind === 'silence') await hang(exchange.signal);
  else if (plan.kind === 'not-http') speakAnotherProtocol(exchange);
  return plan.kind !== 'answer';
}

/** `GET /v1/models`: the OpenAI list shape; runtime outages apply, model-name faults cannot. */
export async function handleModels(instance: Instance, res: SimResponse, deps: ChatDeps) {
  instance.stats.modelLists++;
  const plan = decide(instance, deps);
  const controller = new AbortController();
  const cut = () => breakConnection(res);
  deps.open.add(cut);
  res.once('close', () => {
    deps.open.delete(cut);
    controller.abort();
  });
  if (!(await pause(instance.faults.latencyMs ?? 0, controller.signal))) return;
  const exchange: Exchange = { res, signal: controller.signal, cut };
  if (await failIfPlanned(plan, exchange)) return;
  sendJson(res, 200, {
    object: 'list',
    data: [...deps.models].map((id) => ({
      id,
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'inferwatch-simulator',
    })),
  });
}
