import type { RequestHandler, Router } from 'express';
import type { StreamEnd } from '../providers/index.ts';
import { createGenerationHandler, type PinnedDeps } from './chat-completions.ts';
import type { ChatDeps } from './chat-request.ts';
import type { ModelRouter } from './model-router.ts';
import { readResponsesBody } from './operation-bodies.ts';
import type { RelayWire } from './relay.ts';
import { streamErrorEvent } from './responses.ts';

/** Response ids remembered with the provider that holds them; the oldest is forgotten past this. */
const MAX_PINS = 10_000;

/**
 * Which provider holds which response. A Responses continuation (`previous_response_id`) only makes
 * sense where that response is stored, so it must reach the same provider, never fail over elsewhere.
 */
export function createResponsePins(max = MAX_PINS) {
  const holders = new Map<string, string>();
  return {
    record(id: string, provider: string) {
      // Response ids are the upstream's; bounded like any string that becomes a key.
      if (id.length > 200) return;
      holders.delete(id);
      holders.set(id, provider);
      if (holders.size > max) {
        const oldest = holders.keys().next().value;
        if (oldest !== undefined) holders.delete(oldest);
      }
    },
    holderOf: (id: string) => holders.get(id),
  };
}

type Pins = ReturnType<typeof createResponsePins>;

/** The chain narrowed to the provider holding `previous`, or to the first target when none is known. */
function pin(pins: Pins, deps: ChatDeps, body: Record<string, unknown>): PinnedDeps | undefined {
  const previous = body.previous_response_id;
  if (typeof previous !== 'string') return undefined;
  const holder = pins.holderOf(previous);
  const router: ModelRouter = {
    ...deps.router,
    resolveFor(model, operation) {
      const chain = deps.router.resolveFor(model, operation);
      const kept = holder ? chain?.filter((target) => target.provider === holder) : chain?.slice(0, 1);
      return kept && kept.length > 0 ? kept : undefined;
    },
  };
  const reason = holder
    ? `previous_response_id names a response stored at provider '${holder}', so the request went there only: a continuation is never failed over to another provider`
    : "previous_response_id names a response this gateway has not served recently, so the request went to the route's first target only: a continuation is never failed over to another provider";
  return { deps: { ...deps, router }, reason };
}

/** Event names are the upstream's: only a plain dotted name goes out as an `event:` line. */
const eventName = /^[a-z_.]{1,80}$/;

/**
 * The Responses event stream passed through as typed events (`event:` and `data:` lines). It has no
 * `[DONE]`: `response.completed` ends it. A stream that fails after it started ends with an `error` event,
 * never a `response.completed`, so a truncated answer cannot look complete.
 */
export const responsesWire: RelayWire = {
  frame(chunk) {
    const type = chunk.json.type;
    const event = typeof type === 'string' && eventName.test(type) ? `event: ${type}\n` : '';
    return `${event}data: ${chunk.data}\n\n`;
  },
  done: '',
  error(failure: Extract<StreamEnd, { ok: false }>) {
    const { error } = JSON.parse(streamErrorEvent(failure)) as { error: Record<string, unknown> };
    return `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code, message: error.message, param: null })}\n\n`;
  },
  text: (json) =>
    json.type === 'response.output_text.delta' && typeof json.delta === 'string' ? json.delta : '',
};

/** The response id an answer reveals: a response object, or the `response.created` event of a stream. */
function responseId(json: Record<string, unknown>): string | undefined {
  const response =
    json.object === 'response'
      ? json
      : json.type === 'response.created'
        ? (json.response as Record<string, unknown> | undefined)
        : undefined;
  return typeof response?.id === 'string' ? response.id : undefined;
}

/** POST /v1/responses: passed through to OpenAI-compatible targets that serve it, JSON or SSE. */
export function addResponsesRoute(http: Router, limited: RequestHandler, deps: ChatDeps): void {
  const pins = createResponsePins();
  http.post(
    '/v1/responses',
    limited,
    createGenerationHandler(deps, {
      route: '/v1/responses',
      operation: 'responses',
      readBody: readResponsesBody,
      pin: (scoped, body) => pin(pins, scoped, body),
      onAnswer(provider, json) {
        const id = responseId(json);
        if (id !== undefined) pins.record(id, provider);
      },
      wire: responsesWire,
    }),
  );
}
