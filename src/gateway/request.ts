import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { clientName } from '../http/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import type { Stats } from './stats.ts';
import { type RequestSpan, startRequestSpan } from './tracing.ts';

export interface RequestScope {
  requestId: string;
  /** The name of the API key the request presented, or `anonymous` when the gateway is open. */
  client: string;
  span: RequestSpan;
  signal: AbortSignal;
  clientGone: () => boolean;
  /** performance.now() value when the chain deadline passes. */
  deadlineAt: number;
  /** A stream has started: the chain deadline no longer applies (the provider's totalMs does). */
  clearDeadline(): void;
  finish(result: {
    status: number;
    errorType?: string | undefined;
    upstreamMs: number;
    failedOver: boolean;
    /** The provider that answered, when one did. */
    provider?: string | undefined;
  }): void;
}

export interface GatewayCounters {
  requests: number;
  errors: number;
  failovers: number;
  latency: Stats;
  /** Sum of the successful requests' durations, for their mean. */
  successMs: number;
  activeProvider: string | null;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;
/** The client label when no API keys are configured (an open gateway cannot tell its clients apart). */
export const ANONYMOUS = 'anonymous';

/**
 * Per-request plumbing shared by /v1/chat/completions and /api/chat: ids, the SERVER span, cancellation
 * (client disconnect or the chain deadline) and the request-level metrics when it ends.
 */
export function startRequest(
  {
    telemetry,
    counters,
    deadlineMs,
  }: { telemetry: Telemetry; counters: GatewayCounters; deadlineMs: number },
  req: Request,
  res: Response,
  { route, clientModel, stream }: { route: string; clientModel: string; stream: boolean },
): RequestScope {
  const started = performance.now();
  // Set by the API-key check from the configured keys only, so the label set is bounded by the config.
  const client = clientName(res) ?? ANONYMOUS;
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
  const span = startRequestSpan(telemetry, `${req.method} ${route}`, req.headers, {
    [n.ATTR_HTTP_REQUEST_METHOD]: req.method,
    [n.ATTR_HTTP_ROUTE]: route,
    [n.ATTR_GEN_AI_REQUEST_MODEL]: clientModel,
    // The server span is ours, not a GenAI client span: it says streaming either way.
    [n.ATTR_STREAM]: stream,
    [n.ATTR_CLIENT]: client,
  });
  res.setHeader('x-request-id', requestId);
  res.setHeader('x-inferwatch-trace-id', span.traceId);

  const controller = new AbortController();
  let gone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    controller.abort(new Error('client disconnected'));
  };
  res.on('close', onClose);
  const deadline = setTimeout(() => controller.abort(new Error('deadline passed')), deadlineMs);
  let finished = false;

  return {
    requestId,
    client,
    span,
    signal: controller.signal,
    clientGone: () => gone,
    deadlineAt: started + deadlineMs,
    clearDeadline: () => clearTimeout(deadline),
    finish({ status, errorType, upstreamMs, failedOver, provider }) {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      res.off('close', onClose);
      const elapsed = performance.now() - started;
      const outcome = status < 400 && !errorType ? 'success' : 'error';
      const labels = {
        [n.ATTR_GEN_AI_REQUEST_MODEL]: clientModel,
        [n.ATTR_OUTCOME]: outcome,
        [n.ATTR_STREAM]: String(stream),
        ...(errorType ? { [n.ATTR_ERROR_TYPE]: errorType } : {}),
      };
      telemetry.instruments.gatewayRequests.record(1, { ...labels, [n.ATTR_CLIENT]: client });
      telemetry.instruments.gatewayRequestDuration.record(elapsed / 1000, labels);
      telemetry.instruments.gatewayOverhead.record(Math.max(0, elapsed - upstreamMs) / 1000, {
        [n.ATTR_STREAM]: String(stream),
      });
      counters.requests += 1;
      if (outcome === 'error') counters.errors += 1;
      else {
        counters.successMs += elapsed;
        if (provider) counters.activeProvider = provider;
      }
      if (failedOver) counters.failovers += 1;
      counters.latency.record(elapsed, outcome === 'success');
      span.end(status, errorType);
    },
  };
}
