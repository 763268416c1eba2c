import type { Request, RequestHandler, Response } from 'express';
import { badRequest, readJsonBody } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { type ChainDeps, type ChainOutcome, runChain } from './chain.ts';
import { relayStream } from './relay.ts';
import { type GatewayCounters, type RequestScope, startRequest } from './request.ts';
import { chainErrorReply, logWithheldDetail } from './responses.ts';

export interface ChatDeps extends ChainDeps {
  counters: GatewayCounters;
  logger: Logger;
}

export interface BodyLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxModelNameLength: number;
}

// Control characters (C0, DEL, C1): a name carrying them would reach log lines, span names and label values.
const controlCharacter = /\p{Cc}/u;

/**
 * A client model name becomes a breaker key, per-target statistics, a span name and a metric label, so
 * its length and alphabet are bounded before the router sees it. The refusal does not echo the name.
 */
export function checkModelName(model: string, maxLength: number): void {
  if (longerThan(model, maxLength)) {
    throw badRequest(`model names are limited to ${maxLength} characters.`, 'invalid_value', 'model');
  }
  if (controlCharacter.test(model)) {
    throw badRequest('model must not contain control characters.', 'invalid_value', 'model');
  }
}

/** Counts characters as JSON Schema's maxLength does (code points), stopping once past `max`. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

/** Parses and checks the parts of a chat request the gateway relies on; everything else passes through. */
export async function readChatBody(req: Request, limits: BodyLimits): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req, limits.maxBodyBytes, limits.maxJsonDepth);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.', 'invalid_request');
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model.length === 0) {
    throw badRequest('you must provide a model parameter', 'missing_required_parameter', 'model');
  }
  checkModelName(record.model, limits.maxModelNameLength);
  if (!Array.isArray(record.messages)) {
    throw badRequest('messages must be an array of chat messages', 'invalid_type', 'messages');
  }
  // The gateway itself reads `stream` (JSON or SSE back), so it checks its type: `"true"` or `{}` would
  // otherwise get a JSON answer the client is not waiting for. null means false, as OpenAI reads it.
  if (record.stream !== undefined && record.stream !== null && typeof record.stream !== 'boolean') {
    throw badRequest("Invalid type for 'stream': expected a boolean.", 'invalid_type', 'stream');
  }
  return record;
}

/** Runs the chain for one request inside its scope (span context, deadline, cancellation). */
export function runScopedChain(
  deps: ChatDeps,
  scope: RequestScope,
  body: Record<string, unknown>,
  stream: boolean,
) {
  return runChain(deps, {
    clientModel: body.model as string,
    body,
    stream,
    signal: scope.signal,
    clientGone: scope.clientGone,
    client: scope.client,
    deadlineAt: scope.deadlineAt,
    span: scope.span,
  });
}

/** A client that makes no room for this long is dropped: the target's own idle timeout. */
const idleMsOf = (deps: ChatDeps, provider: string) =>
  deps.config.providers.find((entry) => entry.name === provider)?.timeouts.idleMs ?? 10_000;

/**
 * `x-inferwatch-failover` lists the providers in the order the request went through them: each one passed
 * over (breaker open, or failed) and last the one that answered. More than one entry means a failover.
 */
export const servedHeaders = (outcome: Pick<Extract<ChainOutcome, { ok: true }>, 'target' | 'tried'>) => ({
  'x-inferwatch-provider': outcome.target.provider,
  'x-inferwatch-failover': outcome.tried.join(','),
});

/** POST /v1/chat/completions: OpenAI wire format in and out, JSON or SSE. */
export function createChatCompletionsHandler(deps: ChatDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const body = await readChatBody(req, deps.config.server);
    const stream = body.stream === true;
    const scope = startRequest(
      { telemetry: deps.telemetry, counters: deps.counters, deadlineMs: deps.config.retry.deadlineMs },
      req,
      res,
      {
        route: '/v1/chat/completions',
        clientModel: deps.router.label(body.model as string),
        stream,
      },
    );
    let outcome: ChainOutcome | undefined;
    try {
      outcome = await runScopedChain(deps, scope, body, stream);
    } finally {
      if (!outcome) scope.finish({ status: 500, errorType: 'internal', upstreamMs: 0, failedOver: false });
    }
    const failedOver = 'failedOver' in outcome && outcome.failedOver;
    if (!outcome.ok) {
      if ('tried' in outcome && outcome.tried.length > 0)
        res.setHeader('x-inferwatch-failover', outcome.tried.join(','));
      const reply = chainErrorReply(outcome, body.model as string);
      if (outcome.reason === 'failed') {
        logWithheldDetail(deps.logger, outcome.failure, {
          traceId: scope.span.traceId,
          provider: outcome.tried.at(-1),
        });
      }
      if (!scope.clientGone()) res.status(reply.status).set(reply.headers).json(reply.body);
      scope.finish({ status: reply.status, errorType: reply.errorType, upstreamMs: 0, failedOver });
      return;
    }
    if (outcome.kind === 'complete') {
      // The upstream's bytes as they came: no re-serialisation, no ETag hashing (express's send would).
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(outcome.completion.text),
        ...servedHeaders(outcome),
      });
      res.end(outcome.completion.text);
      scope.finish({
        status: 200,
        upstreamMs: outcome.upstreamMs,
        failedOver,
        provider: outcome.target.provider,
      });
      return;
    }
    scope.clearDeadline();
    const relayed = await relayStream(res, outcome.stream.chunks, servedHeaders(outcome), {
      captureOutput: deps.telemetry.captureContent,
      maxBufferedBytes: deps.config.server.maxStreamBufferBytes,
      stallMs: idleMsOf(deps, outcome.target.provider),
    });
    const attemptMs = outcome.finish(relayed.end, relayed.output);
    const end = relayed.end;
    if (relayed.clientStalled) {
      deps.logger.warn(
        {
          traceId: scope.span.traceId,
          provider: outcome.target.provider,
          stallMs: idleMsOf(deps, outcome.target.provider),
        },
        'dropped a streaming client that read nothing while its buffer was full; the upstream call was cancelled',
      );
    }
    if (!end.ok && !scope.clientGone()) {
      logWithheldDetail(deps.logger, end, { traceId: scope.span.traceId, provider: outcome.target.provider });
      deps.raise({
        kind: 'stream_cut',
        severity: 'warning',
        title: `a stream from ${outcome.target.key} failed after it started (${end.type})`,
        subject: outcome.target.provider,
        detail: {
          provider: outcome.target.provider,
          model: outcome.target.model,
          errorType: end.type,
          traceId: scope.span.traceId,
        },
      });
    }
    scope.finish({
      status: 200,
      errorType: relayed.clientStalled
        ? 'client_stalled'
        : end.ok
          ? undefined
          : scope.clientGone()
            ? 'cancelled'
            : end.type,
      upstreamMs: outcome.upstreamMs - outcome.openMs + attemptMs,
      failedOver,
      provider: outcome.target.provider,
    });
  };
}
