import type { Request, RequestHandler, Response } from 'express';
import { exampleModel } from '../config/index.ts';
import { badRequest, readJsonBody } from '../http/index.ts';
import { extractText } from './attempt.ts';
import { type ChatDeps, checkModelName, runScopedChain, servedHeaders, tokensOf } from './chat-request.ts';
import { startRequest } from './request.ts';
import { chainErrorReply, logWithheldDetail } from './responses.ts';

/**
 * Builds the chat body from `{ model?, message | messages, ...}`; without a model, one the config names.
 * Other fields (`max_tokens`, `temperature`, ...) go upstream as they came, as on /v1/chat/completions.
 */
function toChatBody(
  input: unknown,
  defaultModel: string,
  maxModelNameLength: number,
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('Request body must be a JSON object.');
  }
  const { model, message, messages, stream, ...rest } = input as Record<string, unknown>;
  if (stream === true)
    throw badRequest('/api/chat does not stream; use /v1/chat/completions.', 'invalid_value', 'stream');
  if (stream !== undefined && stream !== null && stream !== false)
    throw badRequest("Invalid type for 'stream': expected false or nothing.", 'invalid_type', 'stream');
  if (model !== undefined && (typeof model !== 'string' || model.length === 0)) {
    throw badRequest('model must be a non-empty string.', 'invalid_type', 'model');
  }
  if (typeof model === 'string') checkModelName(model, maxModelNameLength);
  let chat: unknown[];
  if (typeof message === 'string' && message.length > 0) chat = [{ role: 'user', content: message }];
  else if (Array.isArray(messages) && messages.length > 0) chat = messages;
  else
    throw badRequest(
      'Provide "message" (a string) or "messages" (an array).',
      'missing_required_parameter',
      'message',
    );
  return { ...rest, model: model ?? defaultModel, messages: chat };
}

/**
 * POST /api/chat: the same routing as /v1/chat/completions behind a simpler body, for clients (and the
 * demo) that want the outcome spelled out: who answered, whether failover happened, how long it took.
 */
export function createApiChatHandler(deps: ChatDeps): RequestHandler {
  const defaultModel = exampleModel(deps.config) ?? 'default';
  return async (req: Request, res: Response) => {
    const started = performance.now();
    const { maxBodyBytes, maxJsonDepth, maxModelNameLength } = deps.config.server;
    const input = await readJsonBody(req, maxBodyBytes, maxJsonDepth);
    const body = toChatBody(input, defaultModel, maxModelNameLength);
    const scope = startRequest(
      { telemetry: deps.telemetry, counters: deps.counters, deadlineMs: deps.config.retry.deadlineMs },
      req,
      res,
      { route: '/api/chat', clientModel: deps.router.label(body.model as string), stream: false },
    );
    const outcome = await runScopedChain(deps, scope, res, body, false).catch((error: unknown) => {
      scope.finish({ status: 500, errorType: 'internal', upstreamMs: 0, failedOver: false });
      throw error;
    });
    // failover_chain is what the request passed over (skipped by an open breaker, or failed), not the
    // provider that answered: `[]` when the first choice served, `["openai"]` when the fallback did.
    const tried = 'tried' in outcome ? outcome.tried : [];
    const common = {
      trace_id: scope.span.traceId,
      latency_ms: Math.round((performance.now() - started) * 10) / 10,
      failover_occurred: 'failedOver' in outcome && outcome.failedOver,
      failover_chain: outcome.ok ? tried.slice(0, -1) : tried,
    };
    if (outcome.ok && outcome.kind === 'complete') {
      const usage = outcome.completion.usage;
      res
        .status(200)
        .set(servedHeaders(outcome))
        .json({
          ...common,
          provider_used: outcome.target.provider,
          model: outcome.completion.model ?? outcome.target.model,
          response_text: extractText(outcome.completion.json),
          status: 'success',
          tokens_used: tokensOf(usage),
        });
      scope.finish({
        status: 200,
        upstreamMs: outcome.upstreamMs,
        failedOver: common.failover_occurred,
        provider: outcome.target.provider,
      });
      return;
    }
    const reply = outcome.ok
      ? chainErrorReply({ ok: false, reason: 'no_route' }, body.model as string)
      : chainErrorReply(outcome, body.model as string);
    if (!outcome.ok && outcome.reason === 'failed') {
      logWithheldDetail(deps.logger, outcome.failure, {
        traceId: scope.span.traceId,
        provider: outcome.tried.at(-1),
      });
    }
    if (!scope.clientGone()) {
      res
        .status(reply.status)
        .set(reply.headers)
        .json({
          ...common,
          provider_used: null,
          model: body.model,
          response_text: null,
          status: 'error',
          tokens_used: 0,
          error: reply.body.error,
        });
    }
    scope.finish({
      status: reply.status,
      errorType: reply.errorType,
      upstreamMs: 0,
      failedOver: common.failover_occurred,
    });
  };
}
