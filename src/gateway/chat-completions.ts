import type { Request, RequestHandler, Response } from 'express';
import type { Operation } from '../config/provider-types.ts';
import { HttpError } from '../http/index.ts';
import type { ChainOutcome } from './chain.ts';
import {
  type BodyLimits,
  type ChatDeps,
  readChatBody,
  runScopedChain,
  servedHeaders,
} from './chat-request.ts';
import { type RelayWire, relayStream, tapChunks } from './relay.ts';
import { startRequest } from './request.ts';
import { type ClientFailure, chainErrorReply, logWithheldDetail } from './responses.ts';
import type { ServedStream } from './resume.ts';
import { createStreamSession, type StreamSession } from './stream-session.ts';

/** A client that makes no room for this long is dropped: the target's own idle timeout. */
const idleMsOf = (deps: ChatDeps, provider: string) =>
  deps.config.providers.find((entry) => entry.name === provider)?.timeouts.idleMs ?? 10_000;

/** POST /v1/chat/completions: OpenAI wire format in and out, JSON or SSE. */
export function createChatCompletionsHandler(deps: ChatDeps): RequestHandler {
  return createGenerationHandler(deps, {
    route: '/v1/chat/completions',
    operation: 'chat',
    readBody: readChatBody,
  });
}

export interface GenerationEndpoint {
  /** The HTTP route, as recorded on spans and metrics. */
  route: string;
  operation: Operation;
  /** Parses and checks the body (the model and whatever the gateway reads); throws an HttpError. */
  readBody(req: Request, limits: BodyLimits): Promise<Record<string, unknown>>;
  /** Narrows the chain for a request bound to one provider (a Responses continuation), else undefined. */
  pin?(deps: ChatDeps, body: Record<string, unknown>): PinnedDeps | undefined;
  /** Sees each answer that was served: the JSON body, or every streamed chunk. */
  onAnswer?(provider: string, json: Record<string, unknown>): void;
  /** How a stream's events are framed and ended, when not chat's. */
  wire?: RelayWire;
}

/** Deps whose router walks a narrower chain, and what to tell the client when that chain fails. */
export interface PinnedDeps {
  deps: ChatDeps;
  /** Added to the error a failed chain answers with: why there was no failover. */
  reason: string;
}

/**
 * The body, once its model is known to be served for this operation: a model whose route has no target
 * serving it answers 404 saying what the route does serve, rather than a provider's confusing refusal.
 */
async function readBodyFor(endpoint: GenerationEndpoint, req: Request, deps: ChatDeps) {
  const body = await endpoint.readBody(req, deps.config.server);
  const model = body.model as string;
  if (
    deps.router.resolve(model) !== undefined &&
    deps.router.resolveFor(model, endpoint.operation) === undefined
  ) {
    throw new HttpError(
      404,
      `The model '${model}' is routed only to targets that do not serve ${endpoint.route} (a route target's operations say what it serves).`,
      { code: 'model_not_found', param: 'model' },
    );
  }
  return body;
}

/**
 * One OpenAI generation endpoint (chat, text completions, embeddings, Responses): the body goes through
 * the route's chain of targets that serve the operation, with the same breakers, retries, failover,
 * deadline and telemetry; the answer goes back as the upstream sent it, JSON or SSE.
 */
export function createGenerationHandler(deps: ChatDeps, endpoint: GenerationEndpoint): RequestHandler {
  return async (req: Request, res: Response) => {
    const body = await readBodyFor(endpoint, req, deps);
    const stream = body.stream === true;
    const pinned = endpoint.pin?.(deps, body);
    const scope = startRequest(
      { telemetry: deps.telemetry, counters: deps.counters, deadlineMs: deps.config.retry.deadlineMs },
      req,
      res,
      { route: endpoint.route, clientModel: deps.router.label(body.model as string), stream },
    );
    let outcome: ChainOutcome | undefined;
    try {
      outcome = await runScopedChain(pinned?.deps ?? deps, scope, res, body, stream, endpoint.operation);
    } finally {
      if (!outcome) scope.finish({ status: 500, errorType: 'internal', upstreamMs: 0, failedOver: false });
    }
    const failedOver = 'failedOver' in outcome && outcome.failedOver;
    if (!outcome.ok) {
      if ('tried' in outcome && outcome.tried.length > 0)
        res.setHeader('x-inferwatch-failover', outcome.tried.join(','));
      const reply = chainErrorReply(outcome, body.model as string);
      if (pinned) reply.body.error.message = `${reply.body.error.message} (${pinned.reason})`;
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
      endpoint.onAnswer?.(outcome.target.provider, outcome.completion.json);
      scope.finish({
        status: 200,
        upstreamMs: outcome.upstreamMs,
        failedOver,
        provider: outcome.target.provider,
      });
      return;
    }
    scope.clearDeadline();
    const session =
      endpoint.operation === 'chat'
        ? createStreamSession(pinned?.deps ?? deps, scope, body, outcome, (usage) =>
            deps.quota?.charge(res, usage),
          )
        : servedAsIs(outcome, failedOver);
    const { onAnswer } = endpoint;
    const chunks = onAnswer
      ? tapChunks(session.chunks, (json) => onAnswer(outcome.target.provider, json))
      : session.chunks;
    const relayed = await relayStream(res, chunks, servedHeaders(outcome), {
      wire: endpoint.wire,
      captureOutput: deps.telemetry.captureContent,
      maxBufferedBytes: deps.config.server.maxStreamBufferBytes,
      stallMs: idleMsOf(deps, outcome.target.provider),
    });
    const end = relayed.end;
    const served = session.finish(end, relayed.output);
    if (relayed.clientStalled) {
      deps.logger.warn(
        {
          traceId: scope.span.traceId,
          provider: served.target.provider,
          stallMs: idleMsOf(deps, outcome.target.provider),
        },
        'dropped a streaming client that read nothing while its buffer was full; the upstream call was cancelled',
      );
    }
    if (!end.ok && !scope.clientGone()) {
      logWithheldDetail(deps.logger, end, { traceId: scope.span.traceId, provider: served.target.provider });
      deps.raise({
        kind: 'stream_cut',
        severity: 'warning',
        title: `a stream from ${served.target.key} failed after it started (${end.type})`,
        subject: served.target.provider,
        detail: {
          provider: served.target.provider,
          model: served.target.model,
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
            : ((end as ClientFailure).code ?? end.type),
      upstreamMs: served.upstreamMs,
      failedOver: served.failedOver,
      provider: served.target.provider,
    });
  };
}

/**
 * The served stream as it is, for the operations whose streams are not resumed (resumption compares
 * chat-completion chunks; text completions and Responses events have other shapes).
 */
function servedAsIs(outcome: ServedStream, failedOver: boolean): StreamSession {
  return {
    chunks: outcome.stream.chunks,
    finish(end, output) {
      const attemptMs = outcome.finish(end, output);
      return {
        upstreamMs: outcome.upstreamMs - outcome.openMs + attemptMs,
        target: outcome.target,
        failedOver,
      };
    },
  };
}
