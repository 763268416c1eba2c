import { HttpError, presentedToken, readJsonBody } from '../http/index.ts';
import { type Answer, type Exchange, pause } from './answer.ts';
import {
  type ChatDeps,
  decide,
  failIfPlanned,
  openExchange,
  type SimRequest as Request,
  type SimResponse as Response,
  recordHeaders,
  sendError,
} from './chat.ts';
import { type AnswerPlan, type Apply, applyFaults, lookup, parseModel, upstreamError } from './faults.ts';
import type { Instance } from './instances.ts';
import { type ChatRequest, composeReply, contentText, countPromptTokens, tokenize } from './replies.ts';

const bodyLimit = 4 * 1024 * 1024;

/** What every format's request reduces to: enough to compose and time an answer. */
export interface GenerationRequest extends ChatRequest {
  /** Stop sequences: the answer ends before the first one it contains. */
  stop?: string[] | undefined;
  /** Responses API: the stored response this one continues, and whether this one is stored. */
  previousResponseId?: string | null | undefined;
  store?: boolean | undefined;
  /** Embeddings: the inputs, how vectors are encoded and their length. */
  embedding?: { inputs: string[]; encoding: 'float' | 'base64'; dimensions: number } | undefined;
}

export type Checked = { ok: true; request: GenerationRequest } | { ok: false; error: HttpError };

/** One request, past validation and faults: what a format needs to answer it. */
export interface Generation {
  request: GenerationRequest;
  plan: AnswerPlan;
  /** The request's short unique id; formats prefix it (`chatcmpl-`, `msg_`, `resp_`). */
  id: string;
  instance: Instance;
  /** The answer's text as tokens, by the request, the plan and the scripted reply. */
  answer(idPrefix: string): Answer;
}

/**
 * A wire format the simulator speaks: OpenAI's chat, text completions, Responses and embeddings, and
 * Anthropic's Messages. Faults, timing and statistics are the same for every format; only the request's
 * shape, the error body and the answer's bytes differ.
 */
export interface Format {
  validate(body: unknown, instance: Instance, req: Request): Checked;
  sendError(res: Response, error: HttpError): void;
  /** The credential a client presented, compared with the `apiKey` runtime fault. */
  credential(req: Request): string | undefined;
  /** The response header carrying the request id: OpenAI's `x-request-id` unless the format names another. */
  requestIdHeader?: string;
  /** A refusal before anything else is looked at (a missing version header), or undefined. */
  precheck?(req: Request): HttpError | undefined;
  respond(exchange: Exchange, generation: Generation): Promise<void>;
}

export const openAIFormat = {
  sendError,
  credential: (req: Request) =>
    req.headers.authorization === undefined ? undefined : presentedToken(req.headers),
} satisfies Pick<Format, 'sendError' | 'credential'>;

/** One generation request in any format: validation, credentials, runtime and model-name faults, answer. */
export async function handleGeneration(
  instance: Instance,
  req: Request,
  res: Response,
  deps: ChatDeps,
  format: Format,
): Promise<void> {
  const exchange = openExchange(instance, res, deps.open);
  const id = deps.nextId();
  // OpenAI and Anthropic send one on every response; SDKs expose it as `_request_id`.
  res.setHeader(format.requestIdHeader ?? 'x-request-id', `req_${id}`);
  let body: unknown;
  try {
    body = await readJsonBody(req, bodyLimit);
  } catch (error) {
    // Anything but an HttpError means the upload broke off: the client is gone, close() counts it.
    if (error instanceof HttpError) format.sendError(res, error);
    return;
  }
  instance.lastRequest = {
    at: deps.now(),
    body,
    headers: recordHeaders(req.headers),
    httpVersion: req.httpVersion,
  };
  const refused = format.precheck?.(req);
  if (refused) return format.sendError(res, refused);
  const validated = format.validate(body, instance, req);
  if (!validated.ok) return format.sendError(res, validated.error);
  const { request } = validated;
  if (request.stream) instance.stats.streams++;
  const model = parseModel(request.model);
  if (!model.ok) return format.sendError(res, model.error);
  const { apiKey } = instance.faults;
  const presented = format.credential(req);
  if (apiKey !== undefined && presented !== undefined && presented !== apiKey) {
    return format.sendError(res, upstreamError.auth());
  }
  const runtime = decide(instance, deps);
  if (!(await pause(instance.faults.latencyMs ?? 0, exchange.signal))) return;
  // A provider that is down fails whatever the model; one that is up rejects a model it does not serve.
  if (runtime.kind === 'answer' && !deps.models.has(model.baseModel))
    return format.sendError(res, upstreamError.modelNotFound(model.baseModel));
  const always = (instance.faults.modelFaults ?? []).flatMap((kind) => lookup(kind) ?? []) as Apply[];
  const plan = runtime.kind === 'answer' ? applyFaults([...always, ...model.faults], runtime) : runtime;
  if (await failIfPlanned(plan, exchange, format.sendError)) return;
  if (plan.kind !== 'answer') return;
  if (plan.streamOptions === 'reject' && request.hasStreamOptions) {
    return format.sendError(res, upstreamError.unknownStreamOptions());
  }
  const prefill = prefillOf(body);
  if (prefill !== undefined && plan.rejectPrefill)
    return format.sendError(res, upstreamError.unknownPrefill());
  const answer = (idPrefix: string) =>
    composeAnswer(request, plan, { id: `${idPrefix}${id}`, baseModel: model.baseModel, deps, prefill });
  await format.respond(exchange, { request, plan, id, instance, answer });
}

function composeAnswer(
  request: GenerationRequest,
  plan: AnswerPlan,
  {
    id,
    baseModel,
    deps,
    prefill,
  }: { id: string; baseModel: string; deps: ChatDeps; prefill?: string | undefined },
): Answer {
  let reply = plan.empty
    ? ''
    : (deps.reply?.(request) ??
      composeReply(request, {
        baseModel,
        defaultReply: deps.defaultReply,
        ignoreInstruction: plan.wrongAnswer === true,
      }));
  const stopSequence = request.stop?.find((sequence) => sequence !== '' && reply.includes(sequence));
  if (stopSequence !== undefined) reply = reply.slice(0, reply.indexOf(stopSequence));
  // Asked to continue a partial answer: the rest of the reply when it starts that way (deterministic, like
  // every simulator reply), otherwise the reply as it is, as a model that goes its own way would.
  if (prefill !== undefined && reply.startsWith(prefill)) reply = reply.slice(prefill.length);
  const text = plan.shape === 'tool-stream' ? JSON.stringify({ query: reply }) : reply;
  // A flood is content enough to outrun any reader: 1,000 characters per chunk.
  const tokens = plan.floodKib === undefined ? tokenize(text) : Array(plan.floodKib).fill('x'.repeat(1000));
  const truncated = request.maxTokens !== undefined && tokens.length > request.maxTokens;
  return {
    id,
    created: Math.floor(deps.now() / 1000),
    model: request.model,
    tokens: truncated ? tokens.slice(0, request.maxTokens) : tokens,
    promptTokens: countPromptTokens(request.messages),
    finishReason: truncated ? 'length' : 'stop',
    stopSequence: truncated ? undefined : stopSequence,
    includeUsage: request.includeUsage && plan.streamOptions !== 'ignore',
  };
}

/**
 * The partial answer a request asks to continue: the final assistant message's text, when vLLM's
 * `continue_final_message` or Mistral's and DeepSeek's `prefix: true` asks for its continuation.
 */
function prefillOf(body: unknown): string | undefined {
  const { messages, continue_final_message } = body as {
    messages?: unknown;
    continue_final_message?: unknown;
  };
  if (!Array.isArray(messages)) return undefined;
  const last = messages.at(-1) as { role?: unknown; content?: unknown; prefix?: unknown } | undefined;
  if (last?.role !== 'assistant') return undefined;
  if (continue_final_message !== true && last.prefix !== true) return undefined;
  return contentText(last.content);
}
