import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { errorBody, HttpError, presentedToken, readJsonBody } from '../http/index.ts';
import { type Answer, type Exchange, hang, pause, sendAnswer, streamAnswer } from './answer.ts';
import {
  type AnswerPlan,
  type Apply,
  applyFaults,
  lookup,
  type Plan,
  parseModel,
  upstreamError,
} from './faults.ts';
import type { Instance } from './instances.ts';
import {
  type ChatRequest,
  composeReply,
  contentText,
  countPromptTokens,
  tokenize,
  validateChatRequest,
} from './replies.ts';
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

const bodyLimit = 4 * 1024 * 1024;

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

function recordHeaders(headers: SimRequest['headers']): Record<string, string> {
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
function openExchange(instance: Instance, res: SimResponse, open: Set<() => void>): Exchange {
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

/** Executes the plans that are not answers; returns false when the caller should answer. */
export async function failIfPlanned(plan: Plan, exchange: Exchange): Promise<boolean> {
  if (plan.kind === 'error') sendError(exchange.res, plan.error);
  else if (plan.kind === 'reset') exchange.cut();
  else if (plan.kind === 'silence') await hang(exchange.signal);
  else if (plan.kind === 'not-http') speakAnotherProtocol(exchange);
  return plan.kind !== 'answer';
}

export async function handleChat(instance: Instance, req: SimRequest, res: SimResponse, deps: ChatDeps) {
  const exchange = openExchange(instance, res, deps.open);
  const id = deps.nextId();
  // OpenAI sends one on every response; SDKs expose it as `_request_id`.
  res.setHeader('x-request-id', `req_${id}`);
  let body: unknown;
  try {
    body = await readJsonBody(req, bodyLimit);
  } catch (error) {
    // Anything but an HttpError means the upload broke off: the client is gone, close() counts it.
    if (error instanceof HttpError) sendError(res, error);
    return;
  }
  instance.lastRequest = {
    at: deps.now(),
    body,
    headers: recordHeaders(req.headers),
    httpVersion: req.httpVersion,
  };
  const validated = validateChatRequest(body);
  if (!validated.ok) return sendError(res, validated.error);
  const { request } = validated;
  if (request.stream) instance.stats.streams++;
  const model = parseModel(request.model);
  if (!model.ok) return sendError(res, model.error);
  const { apiKey } = instance.faults;
  if (apiKey !== undefined && req.headers.authorization !== undefined) {
    if (presentedToken(req.headers) !== apiKey) return sendError(res, upstreamError.auth());
  }
  const runtime = decide(instance, deps);
  if (!(await pause(instance.faults.latencyMs ?? 0, exchange.signal))) return;
  // A provider that is down fails whatever the model; one that is up rejects a model it does not serve.
  if (runtime.kind === 'answer' && !deps.models.has(model.baseModel))
    return sendError(res, upstreamError.modelNotFound(model.baseModel));
  const always = (instance.faults.modelFaults ?? []).flatMap((kind) => lookup(kind) ?? []) as Apply[];
  const plan = runtime.kind === 'answer' ? applyFaults([...always, ...model.faults], runtime) : runtime;
  if (await failIfPlanned(plan, exchange)) return;
  if (plan.kind !== 'answer') return;
  if (plan.streamOptions === 'reject' && request.hasStreamOptions) {
    return sendError(res, upstreamError.unknownStreamOptions());
  }

  const prefill = prefillOf(body as Record<string, unknown>);
  if (prefill !== undefined && plan.rejectPrefill) return sendError(res, upstreamError.unknownPrefill());
  const whole = plan.empty
    ? ''
    : (deps.reply?.(request) ??
      composeReply(request, {
        baseModel: model.baseModel,
        defaultReply: deps.defaultReply,
        ignoreInstruction: plan.wrongAnswer === true,
      }));
  // Asked to continue a partial answer: the rest of the reply when it starts that way (deterministic, like
  // every simulator reply), otherwise the reply as it is, as a model that goes its own way would.
  const reply = prefill !== undefined && whole.startsWith(prefill) ? whole.slice(prefill.length) : whole;
  const text = plan.shape === 'tool-stream' ? JSON.stringify({ query: reply }) : reply;
  // A flood is content enough to outrun any reader: 1,000 characters per chunk.
  const tokens = plan.floodKib === undefined ? tokenize(text) : Array(plan.floodKib).fill('x'.repeat(1000));
  const truncated = request.maxTokens !== undefined && tokens.length > request.maxTokens;
  const answer: Answer = {
    id: `chatcmpl-${id}`,
    created: Math.floor(deps.now() / 1000),
    model: request.model,
    tokens: truncated ? tokens.slice(0, request.maxTokens) : tokens,
    promptTokens: countPromptTokens(request.messages),
    finishReason: truncated ? 'length' : 'stop',
    includeUsage: request.includeUsage && plan.streamOptions !== 'ignore',
  };
  await (request.stream ? streamAnswer : sendAnswer)(exchange, answer, plan);
}

/**
 * The partial answer a request asks to continue: the final assistant message's text, when vLLM's
 * `continue_final_message` or Mistral's and DeepSeek's `prefix: true` asks for its continuation.
 */
function prefillOf(body: Record<string, unknown>): string | undefined {
  const messages = body.messages as { role?: unknown; content?: unknown; prefix?: unknown }[];
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return undefined;
  if (body.continue_final_message !== true && last.prefix !== true) return undefined;
  return contentText(last.content);
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
