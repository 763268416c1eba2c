import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type { Telemetry } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';

/**
 * The gateway's span work, wrapped so telemetry can never throw into the request path (a broken
 * exporter costs a span, never a request). Spans: one SERVER span per client request, one CLIENT span
 * `chat {model}` per upstream attempt.
 */
export interface RequestSpan {
  span: Span;
  ctx: Context;
  traceId: string;
  event(name: string, attributes: Attributes): void;
  end(status: number, errorType: string | undefined): void;
}

/** Random ids from a pooled buffer: one randomFillSync per ~170 requests instead of two calls each. */
const idPool = Buffer.allocUnsafe(4096);
let idOffset = idPool.length;
function randomHex(bytes: number): string {
  if (idOffset + bytes > idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  idOffset += bytes;
  return idPool.toString('hex', idOffset - bytes, idOffset);
}

const safe = <T>(fallback: T, run: () => T): T => {
  try {
    return run();
  } catch {
    return fallback;
  }
};

export function startRequestSpan(
  telemetry: Telemetry,
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes: Attributes,
): RequestSpan {
  const parent = safe(ROOT_CONTEXT, () =>
    telemetry.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter),
  );
  let span = safe(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), () =>
    telemetry.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent),
  );
  // Telemetry off (no SDK) and no incoming trace: still hand out, and propagate, a real trace id, so a
  // client's report can be matched with the upstream's logs.
  if (!isSpanContextValid(span.spanContext())) {
    span = trace.wrapSpanContext({
      traceId: randomHex(16),
      spanId: randomHex(8),
      traceFlags: TraceFlags.NONE,
    });
  }
  const ctx = trace.setSpan(parent, span);
  return {
    span,
    ctx,
    traceId: span.spanContext().traceId,
    event: (eventName, eventAttributes) =>
      safe(undefined, () => void span.addEvent(eventName, eventAttributes)),
    end: (status, errorType) =>
      safe(undefined, () => {
        span.setAttribute(n.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (errorType) {
          span.setAttribute(n.ATTR_ERROR_TYPE, errorType);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }),
  };
}

export interface AttemptSpan {
  /** Headers carrying W3C trace context for the upstream call. */
  headers: Record<string, string>;
  end(result: {
    errorType?: string | undefined;
    message?: string | undefined;
    responseModel?: string | undefined;
    tokens?: { input: number; output: number; estimated: boolean } | undefined;
    costUsd?: number | undefined;
    /** Set for providers with a slot cap: how long the attempt waited for one. */
    poolWaitMs?: number | undefined;
    finishReason?: string | undefined;
    output?: string | undefined;
  }): void;
}

export function startAttemptSpan(
  telemetry: Telemetry,
  parent: Context,
  attributes: {
    /** The provider's attributes (names, server address and port). */
    provider: Attributes;
    model: string;
    attempt: number;
    stream: boolean;
    input?: unknown;
    /** The client's request body: its sampling parameters become gen_ai.request.* attributes. */
    body?: Record<string, unknown>;
    /** `gen_ai.operation.name`: chat unless said otherwise. */
    operation?: string;
  },
): AttemptSpan {
  const operation = attributes.operation ?? n.OPERATION_CHAT;
  return safe<AttemptSpan>({ headers: {}, end: () => {} }, () => {
    const span = telemetry.tracer.startSpan(
      `${operation} ${attributes.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [n.ATTR_GEN_AI_OPERATION_NAME]: operation,
          ...attributes.provider,
          [n.ATTR_GEN_AI_REQUEST_MODEL]: attributes.model,
          // Conditionally required only when true: a non-streaming call leaves it out.
          ...(attributes.stream ? { [n.ATTR_GEN_AI_REQUEST_STREAM]: true } : {}),
          [n.ATTR_ATTEMPT]: attributes.attempt,
          ...requestParameters(attributes.body),
          ...(telemetry.captureContent && attributes.input !== undefined
            ? { [n.ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify(attributes.input) }
            : {}),
        },
      },
      parent,
    );
    const headers: Record<string, string> = {};
    telemetry.propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
    return {
      headers,
      end: (result) =>
        safe(undefined, () => {
          if (result.responseModel) span.setAttribute(n.ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
          if (result.tokens) {
            span.setAttribute(n.ATTR_GEN_AI_USAGE_INPUT_TOKENS, result.tokens.input);
            span.setAttribute(n.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, result.tokens.output);
            if (result.tokens.estimated) span.setAttribute(n.ATTR_USAGE_ESTIMATED, true);
          }
          if (result.costUsd !== undefined) span.setAttribute(n.ATTR_COST_USD, result.costUsd);
          if (result.poolWaitMs !== undefined)
            span.setAttribute(n.ATTR_POOL_WAIT_MS, Math.round(result.poolWaitMs * 1000) / 1000);
          if (result.finishReason)
            span.setAttribute(n.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [result.finishReason]);
          if (telemetry.captureContent && result.output !== undefined) {
            span.setAttribute(n.ATTR_GEN_AI_OUTPUT_MESSAGES, result.output);
          }
          if (result.errorType) {
            span.setAttribute(n.ATTR_ERROR_TYPE, result.errorType);
            span.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.errorType });
          }
          span.end();
        }),
    };
  });
}

/**
 * The sampling parameters a client set, as the GenAI conventions name them. Only finite numbers: the
 * body is the client's, and a string or an object in these fields is not ours to record.
 */
function requestParameters(body: Record<string, unknown> | undefined): Attributes {
  if (!body) return {};
  const fields: [string, unknown][] = [
    // OpenAI's newer name first: a client that sends both means it.
    [n.ATTR_GEN_AI_REQUEST_MAX_TOKENS, body.max_completion_tokens ?? body.max_tokens],
    [n.ATTR_GEN_AI_REQUEST_TEMPERATURE, body.temperature],
    [n.ATTR_GEN_AI_REQUEST_TOP_P, body.top_p],
    [n.ATTR_GEN_AI_REQUEST_SEED, body.seed],
  ];
  return Object.fromEntries(fields.filter(([, value]) => Number.isFinite(value)));
}
