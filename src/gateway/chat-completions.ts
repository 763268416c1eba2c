import type { Request, RequestHandler, Response } from 'express';
import type { ChainOutcome } from './chain.ts';
import { type ChatDeps, readChatBody, runScopedChain, servedHeaders } from './chat-request.ts';
import { relayStream } from './relay.ts';
import { startRequest } from './request.ts';
import { type ClientFailure, chainErrorReply, logWithheldDetail } from './responses.ts';
import { createStreamSession } from './stream-session.ts';

/** A client that makes no room for this long is dropped: the target's own idle timeout. */
const idleMsOf = (deps: ChatDeps, provider: string) =>
  deps.config.providers.find((entry) => entry.name === provider)?.timeouts.idleMs ?? 10_000;

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
      outcome = await runScopedChain(deps, scope, res, body, stream);
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
    const session = createStreamSession(deps, scope, body, outcome, (usage) =>
      deps.quota?.charge(res, usage),
    );
    const relayed = await relayStream(res, session.chunks, servedHeaders(outcome), {
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
