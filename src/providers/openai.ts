import { Pool } from 'undici';
import type { Config } from '../config/index.ts';
import { chunkHasContent, emptinessExplained, isEmptyCompletion } from './answer-content.ts';
import { startAttempt } from './attempt.ts';
import { classifyNetworkError, classifyResponse } from './classify.ts';
import { type Failure, failure } from './failure.ts';
import { readText } from './read-body.ts';
import { prepend, readChatStream } from './stream-reader.ts';
import type {
  ChatCall,
  Completion,
  ModelList,
  OpenStream,
  Provider,
  StreamChunk,
  StreamEnd,
  Usage,
} from './types.ts';

/** Chunks without content held back at most, so an upstream sending only empty chunks cannot grow it. */
const HOLD_BACK_CHUNKS = 64;

export type ProviderConfig = Config['providers'][number];

export interface ProviderOptions {
  now?: () => number;
  /** Upper bound for a non-streamed answer or an error body we read whole. */
  maxResponseBytes?: number;
}

/**
 * The OpenAI-compatible provider: OpenAI, Ollama `/v1`, vLLM, OXLO and anything else that speaks
 * `POST {baseURL}/chat/completions`. One undici pool per provider bounds its connections.
 */
export function createOpenAIProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const { now = Date.now, maxResponseBytes = 16 * 1024 * 1024 } = options;
  const base = new URL(config.baseURL);
  const basePath = base.pathname.replace(/\/+$/, '');
  const { connectMs, firstTokenMs, idleMs, totalMs } = config.timeouts;
  const pool = new Pool(base.origin, {
    connections: config.maxConnections,
    connect: { timeout: connectMs },
  });
  const fixedHeaders: Record<string, string> = {
    'content-type': 'application/json',
    ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
    ...config.headers,
  };

  async function send(path: string, call: ChatCall & { method?: string }, stream: boolean) {
    const timers = startAttempt(totalMs, call.signal);
    timers.awaitFirst(firstTokenMs);
    const started = now();
    try {
      const response = await pool.request({
        path: `${basePath}${path}`,
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
    const sent = await send('/chat/completions', call, false);
    if (!sent.ok) return sent;
    const { response, timers } = sent;
    try {
      timers.gotFirst(idleMs);
      const text = await readText(response.body, maxResponseBytes, timers.alive);
      if (typeof text !== 'string') return text;
      if (response.statusCode >= 300) {
        return classifyResponse(response.statusCode, response.headers, text, now);
      }
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return failure('malformed_response', 'upstream answer is not JSON', { status: response.statusCode });
      }
      const choices = json.choices as { finish_reason?: string }[] | undefined;
      if (!Array.isArray(choices)) {
        if (json.error) return classifyResponse(502, response.headers, text, now);
        return failure('malformed_response', 'upstream answer has no choices', {
          status: response.statusCode,
        });
      }
      return {
        ok: true,
        status: response.statusCode,
        text,
        json,
        model: typeof json.model === 'string' ? json.model : undefined,
        usage: (json.usage as Usage | undefined) ?? undefined,
        finishReason: choices[0]?.finish_reason ?? undefined,
        empty: isEmptyCompletion(json),
      };
    } catch (error) {
      const timedOut = timers.reason();
      return timedOut
        ? failure(timedOut, `answer not read within the ${timedOut} limit`)
        : classifyNetworkError(error, { midStream: true });
    } finally {
      timers.dispose();
    }
  }

  async function stream(call: ChatCall): Promise<OpenStream | Failure> {
    const sent = await send('/chat/completions', call, true);
    if (!sent.ok) return sent;
    const { response, timers, started } = sent;
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode >= 300 || !contentType.includes('text/event-stream')) {
      try {
        const text = await readText(response.body, 64 * 1024);
        if (typeof text !== 'string') return text;
        if (response.statusCode >= 300)
          return classifyResponse(response.statusCode, response.headers, text, now);
        return failure(
          'malformed_response',
          `expected an event stream, got ${contentType || 'no content type'}`,
        );
      } catch (error) {
        return timers.reason()
          ? failure(timers.reason() ?? 'timeout_total', 'error body not read in time')
          : classifyNetworkError(error);
      } finally {
        timers.dispose();
      }
    }
    const chunks = readChatStream(response.body, timers);
    // Hold back what comes before the first content (the role-only preamble, an empty finish): a stream that
    // dies there has sent the client nothing useful and can still fail over transparently, and one that
    // ends there is an empty answer, known before the client saw a byte.
    const head: StreamChunk[] = [];
    let ended: StreamEnd | undefined;
    let content = false;
    while (!content && head.length < HOLD_BACK_CHUNKS) {
      const next = await chunks.next();
      if (next.done) {
        ended = next.value;
        break;
      }
      for (const chunk of next.value) {
        head.push(chunk);
        content ||= chunkHasContent(chunk.json);
      }
    }
    if (ended && !ended.ok) return ended;
    timers.gotFirst(idleMs);
    // The first chunk that names one: Azure opens with a prompt-filter chunk whose model is "".
    const model = head.find((chunk) => typeof chunk.json.model === 'string' && chunk.json.model)?.json.model;
    return {
      ok: true,
      status: response.statusCode,
      timeToFirstChunkMs: now() - started,
      model: typeof model === 'string' ? model : undefined,
      chunks: prepend(head, chunks, ended),
      empty: ended !== undefined && !content && !emptinessExplained(ended.finishReason),
    };
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
    stream,
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
    close: () => pool.close(),
  };
}
