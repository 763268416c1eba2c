import type { Operation } from '../config/provider-types.ts';
import type { Failure } from './failure.ts';

/** Token counts as OpenAI reports them (`usage` on a response or on the last stream chunk). */
export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/**
 * What one call consumed, filled in by the provider while it runs, so the caller knows it however the call
 * ends: answered, failed after the upstream started answering, or abandoned by the client mid-stream.
 */
export interface CallTally {
  /** Milliseconds the call waited for a request slot (`maxConnections`) before it was sent. */
  queuedMs: number;
  /** The upstream accepted the request and began answering (a 2xx answer or event stream). */
  answered: boolean;
  /** Chunks (streams) or choices (complete answers) that carried output. */
  outputChunks: number;
  /** Characters of output text and tool-call arguments: the basis of an estimate when no usage came. */
  outputChars: number;
  /** performance.now() at the first and the latest output chunk. */
  firstOutputAt: number | undefined;
  lastOutputAt: number | undefined;
  /** The upstream's own count, once it sent one. */
  usage: Usage | undefined;
}

export const emptyTally = (): CallTally => ({
  queuedMs: 0,
  answered: false,
  outputChunks: 0,
  outputChars: 0,
  firstOutputAt: undefined,
  lastOutputAt: undefined,
  usage: undefined,
});

/** One upstream call. The body is the client's own object: unknown fields pass through untouched. */
export interface ChatCall {
  /** The request body with `model` already set to the upstream model. */
  body: Record<string, unknown>;
  /** Aborts the call: client gone, chain deadline reached. Its abort maps to `timeout_total`. */
  signal?: AbortSignal | undefined;
  /** Per-call headers, e.g. W3C `traceparent` injected by the caller's propagator. */
  headers?: Record<string, string> | undefined;
  /** Filled in as the call runs (see CallTally); optional for callers that only want the answer. */
  tally?: CallTally | undefined;
  /** The call got its request slot and goes to the upstream now (called again if it is resent). */
  onSent?: (() => void) | undefined;
  /** Each output chunk after a stream's first: milliseconds since the previous output chunk. */
  onOutputGap?: ((ms: number) => void) | undefined;
  /** The OpenAI endpoint called: chat completions unless said otherwise. */
  operation?: Operation | undefined;
}

export interface Completion {
  ok: true;
  status: number;
  /** The upstream body as received, forwarded without re-serialising. */
  text: string;
  json: Record<string, unknown>;
  model: string | undefined;
  usage: Usage | undefined;
  finishReason: string | undefined;
  /** A complete answer with nothing in it (no text, tool call or refusal; see answer-content.ts). */
  empty: boolean;
}

/** One streamed chunk: the raw `data:` payload (forwarded as is) and its parsed form. */
export interface StreamChunk {
  data: string;
  json: Record<string, unknown>;
}

/**
 * A stream's chunks as they arrived: each `next()` gives the chunks one upstream read completed (never an
 * empty batch), so they can be forwarded together in one write; the final result is how the stream ended.
 */
export interface ChunkSource {
  next(): Promise<IteratorResult<StreamChunk[], StreamEnd>>;
  /** Stops early (client gone, relay failed): releases the upstream body. Safe after the end. */
  return(): Promise<unknown>;
}

/** How a stream ended: complete (with or without `[DONE]`), or a classified failure value. */
export type StreamEnd =
  | { ok: true; done: boolean; finishReason: string | undefined; usage: Usage | undefined }
  | Failure;

export interface OpenStream {
  ok: true;
  status: number;
  /** Milliseconds from sending the request to the first SSE event. */
  timeToFirstChunkMs: number;
  model: string | undefined;
  /** The first chunks (already received), then the rest as they arrive; ends with how the stream ended. */
  chunks: ChunkSource;
  /**
   * The stream already ended, complete, without content. Known before a byte reaches the client, because
   * chunks are held back until the first one with content arrives.
   */
  empty: boolean;
}

export interface ModelList {
  ok: true;
  ids: string[];
}

export type HealthResult = { ok: true; latencyMs: number } | (Failure & { latencyMs: number });

/**
 * What the gateway and prober need from an upstream. Every method returns outcomes as values: a rejected
 * promise means a bug, never an upstream failure.
 */
export interface Provider {
  readonly name: string;
  complete(call: ChatCall): Promise<Completion | Failure>;
  /** Resolves once the first SSE event arrived (or the attempt failed, classified). */
  stream(call: ChatCall): Promise<OpenStream | Failure>;
  /** The provider's configured synthetic check (`GET /models` or a 1-token completion). */
  healthCheck(options: {
    model?: string | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<HealthResult>;
  /** The upstream's `GET /models` ids (GET /v1/models for a `*` route). */
  listModels(options: { signal?: AbortSignal | undefined }): Promise<ModelList | Failure>;
  /** Requests in flight to this provider and waiting for a slot, against its cap (`maxConnections`). */
  load(): { limit: number | null; active: number; queued: number };
  /** Closes the connection pool after in-flight requests finish. */
  close(): Promise<void>;
}
