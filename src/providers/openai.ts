import { Pool } from 'undici';
import type { Config } from '../config/index.ts';
import { completionChars } from './answer-content.ts';
import { type AttemptTimers, startAttempt } from './attempt-timers.ts';
import { classifyNetworkError, classifyResponse } from './classify.ts';
import { type Failure, failure } from './failure.ts';
import { openStream, type Sent } from './openai-stream.ts';
import { answerReaders } from './operation-answer.ts';
import { operationPaths } from './operation-paths.ts';
import { readText } from './read-body.ts';
import { createRequestSlots, type SlotSnapshot } from './request-slots.ts';
import type { ChatCall, Completion, ModelList, Provider } from './types.ts';

export type ProviderConfig = Config['providers'][number];

export interface ProviderOptions {
  now?: () => number;
  /** Upper bound for a non-streamed answer or an error body we read whole. */
  maxResponseBytes?: number;
  /** A request had to wait for a slot while none was waiting before: the cap (`maxConnections`) bites. */
  onQueueStart?: (snapshot: SlotSnapshot & { provider: string }) => void;
  /**
   * Where an OpenAI path (`/chat/completions`, `/models`) goes for this call's body; by default under the
   * base URL's path. Azure OpenAI puts the deployment and the API version into it.
   */
  resolvePath?: (path: string, body: Record<string, unknown>) => string;
}

/** How long an upstream that rejected `stream_options` is not asked again (it may be upgraded meanwhile). */
const STREAM_OPTIONS_RETRY_MS = 60 * 60 * 1000;

/**
 * The connection pool to one provider. Unbounded: the cap, when one is configured, is kept by the request
 * slots in front of it, where waiting is visible. HTTP/2 only when asked for: undici would otherwise offer
 * h2 to every TLS upstream.
 */
function createPool(base: URL, config: ProviderConfig): Pool {
  const h2c = config.http2 && base.protocol === 'http:';
  return new Pool(base.origin, {
    connections: null,
    allowH2: config.http2,
    ...(h2c ? { useH2c: true } : {}),
    connect: { timeout: config.timeouts.connectMs, ...(config.http2 ? { preferH2: true } : {}) },
  });
}

/**
 * The OpenAI-compatible provider: OpenAI, Ollama `/v1`, vLLM, OXLO and anything else that speaks
 * `POST {baseURL}/chat/completions`.
 */
export function createOpenAIProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const { now = Date.now, maxResponseBytes = 16 * 1024 * 1024, onQueueStart } = options;
  const base = new URL(config.baseURL);
  const basePath = base.pathname.replace(/\/+$/, '');
  const { resolvePath = (path: string) => `${basePath}${path}` } = options;
  const { firstTokenMs, idleMs, totalMs } = config.timeouts;
  const pool = createPool(base, config);
  const slots = createRequestSlots({
    limit: config.maxConnections,
    onQueueStart: onQueueStart && ((snapshot) => onQueueStart({ ...snapshot, provider: config.name })),
  });
  const fixedHeaders: Record<string, string> = {
    'content-type': 'application/json',
    ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
    ...config.headers,
  };
  let streamOptionsRejectedAt: number | undefined;

  const queueTimeout = (waitedMs: number): Failure => {
    const { limit, queued } = slots.snapshot();
    return failure(
      'queue_timeout',
      `waited ${Math.round(waitedMs)} ms for one of the ${limit} request slots to provider '${config.name}' (maxConnections; ${queued} still queued) until the request's deadline passed or it was cancelled`,
    );
  };

  async function send(
    path: string,
    call: ChatCall & { method?: string },
    stream: boolean,
  ): Promise<Sent | Failure> {
    const slot = await slots.acquire(call.signal);
    if (call.tally) call.tally.queuedMs += slot.waitedMs;
    if (!slot.ok) return queueTimeout(slot.waitedMs);
    call.onSent?.();
    // The provider's timers start once the request can go: a wait for a slot is not the provider's delay.
    const timers = startAttempt(totalMs, call.signal, slot.release);
    timers.awaitFirst(firstTokenMs);
    const started = now();
    try {
      const response = await pool.request({
        path: resolvePath(path, call.body),
        method: (call.method ?? 'POST') as 'POST',
        headers: {
          ...fixedHeaders,
          ...call.headers,
          ...(stream ? { accept: 'text/event-stream' } : { accept: 'application/json' }),
        },
        body: call.method === 'GET' ? null : JSON.stringify(call.body),
        signal: timers.signal,
        // Our own timers own the phases (they name the failure); undici's stay as a backstop.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      return { ok: true as const, response, timers, started };
    } catch (error) {
      timers.dispose();
      const timedOut = timers.reason();
      return timedOut
        ? failure(timedOut, `no response within the ${timedOut} limit`)
        : classifyNetworkError(error);
    }
  }

  async function complete(call: ChatCall): Promise<Completion | Failure> {
    const sent = await send(operationPaths[call.operation ?? 'chat'], call, false);
    if (!sent.ok) return sent;
    const { response, timers } = sent;
    try {
      timers.gotFirst(idleMs);
      const text = await readText(response.body, maxResponseBytes, timers.alive);
      if (typeof text !== 'string') return text;
      if (response.statusCode >= 300) {
        return classifyResponse(response.statusCode, response.headers, text, now);
      }
      return parseCompletion(response.statusCode, response.headers, text, call, now);
    } catch (error) {
      return readFailure(timers, error);
    } finally {
      timers.dispose();
    }
  }

  async function listModels({ signal }: { signal?: AbortSignal | undefined }): Promise<ModelList | Failure> {
    const sent = await send('/models', { body: {}, method: 'GET', signal }, false);
    if (!sent.ok) return sent;
    try {
      sent.timers.gotFirst(idleMs);
      const text = await readText(sent.response.body, 4 * 1024 * 1024, sent.timers.alive);
      if (typeof text !== 'string') return text;
      if (sent.response.statusCode >= 300) {
        return classifyResponse(sent.response.statusCode, sent.response.headers, text, now);
      }
      const data = (JSON.parse(text) as { data?: { id?: unknown }[] }).data;
      if (!Array.isArray(data))
        return failure('malformed_response', 'GET /models answered without a data list');
      return {
        ok: true,
        ids: data.map((model) => model.id).filter((id): id is string => typeof id === 'string'),
      };
    } catch (error) {
      const timedOut = sent.timers.reason();
      if (timedOut) return failure(timedOut, 'GET /models timed out');
      return error instanceof SyntaxError
        ? failure('malformed_response', 'GET /models answered with invalid JSON')
        : classifyNetworkError(error);
    } finally {
      sent.timers.dispose();
    }
  }

  return {
    name: config.name,
    complete,
    stream: (call) =>
      openStream(
        {
          send: (streamCall) => send(operationPaths[streamCall.operation ?? 'chat'], streamCall, true),
          idleMs,
          now,
          streamOptions: {
            rejected: () =>
              streamOptionsRejectedAt !== undefined &&
              now() - streamOptionsRejectedAt < STREAM_OPTIONS_RETRY_MS,
            markRejected: () => {
              streamOptionsRejectedAt = now();
            },
          },
        },
        call,
      ),
    async healthCheck({ model, signal }) {
      const started = now();
      if (config.healthCheck === 'completion' && model) {
        const result = await complete({
          body: { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
          signal,
        });
        return result.ok
          ? { ok: true, latencyMs: now() - started }
          : { ...result, latencyMs: now() - started };
      }
      const listed = await listModels({ signal });
      return listed.ok ? { ok: true, latencyMs: now() - started } : { ...listed, latencyMs: now() - started };
    },
    listModels,
    load: () => slots.snapshot(),
    close: () => pool.close(),
  };
}

function parseCompletion(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  { tally, operation = 'chat' }: Pick<ChatCall, 'tally' | 'operation'>,
  now: () => number,
): Completion | Failure {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return failure('malformed_response', 'upstream answer is not JSON', { status });
  }
  const reading = answerReaders[operation](json);
  if (!reading.ok) {
    if (json.error) return classifyResponse(502, headers, text, now);
    return failure('malformed_response', reading.message, { status });
  }
  if (tally) {
    tally.answered = true;
    tally.usage = reading.usage;
    tally.outputChunks = Array.isArray(json.choices) ? json.choices.length : reading.empty ? 0 : 1;
    tally.outputChars = completionChars(json);
  }
  return {
    ok: true,
    status,
    text,
    json,
    model: typeof json.model === 'string' ? json.model : undefined,
    usage: reading.usage,
    finishReason: reading.finishReason,
    empty: reading.empty,
  };
}

/** A body read that threw: the phase timer that fired, or the network error mid-answer. */
export function readFailure(timers: AttemptTimers, error: unknown): Failure {
  const timedOut = timers.reason();
  return timedOut
    ? failure(timedOut, `answer not read within the ${timedOut} limit`)
    : classifyNetworkError(error, { midStream: true });
}
