import { Pool } from 'undici';
import { completionChars, isEmptyCompletion } from '../answer-content.ts';
import { startAttempt } from '../attempt-timers.ts';
import { classifyNetworkError } from '../classify.ts';
import { type Failure, failure } from '../failure.ts';
import { holdBackPreamble } from '../hold-back.ts';
import type { ProviderConfig, ProviderOptions } from '../openai.ts';
import { readText } from '../read-body.ts';
import { createRequestSlots } from '../request-slots.ts';
import type { ChatCall, Completion, ModelList, OpenStream, Provider, Usage } from '../types.ts';
import { type AnthropicMessage, toChatCompletion } from './answer.ts';
import { classifyAnthropicResponse } from './errors.ts';
import { toMessagesRequest } from './request.ts';
import { createStreamTranslator } from './stream.ts';
import { readMessagesStream } from './stream-reader.ts';

/** What a provider of type anthropic uses when its `anthropic:` section is left out (the schema's defaults). */
const defaults = { version: '2026-10-21', defaultMaxTokens: 4096 };

/**
 * The Anthropic provider: speaks the Messages API (`POST {baseURL}/v1/messages`) and gives the gateway
 * OpenAI chat completions, so routing, failover, accounting and relaying are the same as for any other
 * upstream. Requests are translated on the way out, answers, event streams and errors on the way back.
 */
export function createAnthropicProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const { now = Date.now, maxResponseBytes = 16 * 1024 * 1024 } = options;
  const settings = { ...defaults, ...config.anthropic };
  const base = new URL(config.baseURL);
  const basePath = base.pathname.replace(/\/+$/, '');
  const { connectMs, firstTokenMs, idleMs, totalMs } = config.timeouts;
  // Unbounded: the cap, when one is configured, is kept by the request slots in front of it (visible).
  const pool = new Pool(base.origin, { connections: null, connect: { timeout: connectMs } });
  const slots = createRequestSlots({
    limit: config.maxConnections,
    onQueueStart:
      options.onQueueStart && ((snapshot) => options.onQueueStart?.({ ...snapshot, provider: config.name })),
  });
  const fixedHeaders: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': settings.version,
    ...(config.apiKey ? { 'x-api-key': config.apiKey } : {}),
    ...config.headers,
  };

  async function send(path: string, call: ChatCall, body: Record<string, unknown> | null, stream: boolean) {
    const slot = await slots.acquire(call.signal);
    if (call.tally) call.tally.queuedMs += slot.waitedMs;
    if (!slot.ok) {
      return failure(
        'queue_timeout',
        `waited ${Math.round(slot.waitedMs)} ms for one of the request slots to provider '${config.name}' (maxConnections) until the request's deadline passed or it was cancelled`,
      );
    }
    call.onSent?.();
    const timers = startAttempt(totalMs, call.signal, slot.release);
    timers.awaitFirst(firstTokenMs);
    const started = now();
    try {
      const response = await pool.request({
        path: `${basePath}${path}`,
        method: body === null ? 'GET' : 'POST',
        headers: {
          ...fixedHeaders,
          ...call.headers,
          accept: stream ? 'text/event-stream' : 'application/json',
        },
        body: body === null ? null : JSON.stringify(body),
        signal: timers.signal,
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
    const translated = toMessagesRequest({ ...call.body, stream: false }, settings);
    if (!translated.ok) return translated;
    const sent = await send('/v1/messages', call, translated.body, false);
    if (!sent.ok) return sent;
    const { response, timers } = sent;
    try {
      timers.gotFirst(idleMs);
      const text = await readText(response.body, maxResponseBytes, timers.alive);
      if (typeof text !== 'string') return text;
      if (response.statusCode >= 300) {
        return classifyAnthropicResponse(response.statusCode, response.headers, text, now);
      }
      let message: AnthropicMessage & { type?: unknown };
      try {
        message = JSON.parse(text) as AnthropicMessage & { type?: unknown };
      } catch {
        return failure('malformed_response', 'upstream answer is not JSON', { status: response.statusCode });
      }
      if (message?.type !== 'message' || !Array.isArray(message.content)) {
        return failure('malformed_response', 'upstream answer is not a Messages API message', {
          status: response.statusCode,
        });
      }
      const json = toChatCompletion(message, Math.floor(now() / 1000));
      const choice = (json.choices as { finish_reason?: string }[])[0];
      if (call.tally) {
        call.tally.answered = true;
        call.tally.usage = json.usage as Usage;
        call.tally.outputChunks = 1;
        call.tally.outputChars = completionChars(json);
      }
      return {
        ok: true,
        status: response.statusCode,
        text: JSON.stringify(json),
        json,
        model: typeof json.model === 'string' ? json.model : undefined,
        usage: json.usage as Usage,
        finishReason: choice?.finish_reason,
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
    const translated = toMessagesRequest({ ...call.body, stream: true }, settings);
    if (!translated.ok) return translated;
    const sent = await send('/v1/messages', call, translated.body, true);
    if (!sent.ok) return sent;
    const { response, timers, started } = sent;
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode >= 300 || !contentType.includes('text/event-stream')) {
      try {
        const text = await readText(response.body, 64 * 1024);
        if (typeof text !== 'string') return text;
        if (response.statusCode >= 300)
          return classifyAnthropicResponse(response.statusCode, response.headers, text, now);
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
    const translator = createStreamTranslator({
      created: Math.floor(now() / 1000),
      includeUsage: translated.includeUsage,
    });
    if (call.tally) call.tally.answered = true;
    const held = await holdBackPreamble(
      readMessagesStream(response.body, timers, translator, {
        tally: call.tally,
        onOutputGap: call.onOutputGap,
      }),
    );
    if (!held.ok) return held;
    timers.gotFirst(idleMs);
    return {
      ok: true,
      status: response.statusCode,
      timeToFirstChunkMs: now() - started,
      model: held.model,
      chunks: held.chunks,
      empty: held.empty,
    };
  }

  async function listModels({ signal }: { signal?: AbortSignal | undefined }): Promise<ModelList | Failure> {
    const sent = await send('/v1/models?limit=1000', { body: {}, signal }, null, false);
    if (!sent.ok) return sent;
    try {
      sent.timers.gotFirst(idleMs);
      const text = await readText(sent.response.body, 4 * 1024 * 1024, sent.timers.alive);
      if (typeof text !== 'string') return text;
      if (sent.response.statusCode >= 300) {
        return classifyAnthropicResponse(sent.response.statusCode, sent.response.headers, text, now);
      }
      const data = (JSON.parse(text) as { data?: { id?: unknown }[] }).data;
      if (!Array.isArray(data))
        return failure('malformed_response', 'GET /v1/models answered without a data list');
      return {
        ok: true,
        ids: data.map((model) => model.id).filter((id): id is string => typeof id === 'string'),
      };
    } catch (error) {
      const timedOut = sent.timers.reason();
      if (timedOut) return failure(timedOut, 'GET /v1/models timed out');
      return error instanceof SyntaxError
        ? failure('malformed_response', 'GET /v1/models answered with invalid JSON')
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
      const result =
        config.healthCheck === 'completion' && model
          ? await complete({
              body: { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
              signal,
            })
          : await listModels({ signal });
      return result.ok ? { ok: true, latencyMs: now() - started } : { ...result, latencyMs: now() - started };
    },
    listModels,
    load: () => slots.snapshot(),
    close: () => pool.close(),
  };
}
