import type { Request, Response } from 'express';
import type { Operation } from '../config/provider-types.ts';
import { badRequest, readJsonBody } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import type { Usage } from '../providers/index.ts';
import { type ChainDeps, type ChainOutcome, runChain } from './chain.ts';
import type { QuotaGuard } from './quota/index.ts';
import type { GatewayCounters, RequestScope } from './request.ts';

/**
 * What both chat handlers (`/v1/chat/completions` and `/api/chat`) share: their dependencies, the checks
 * on a client's model name, running the chain inside a request's scope, and the headers that say who
 * served it. Each handler keeps only its own parse → run → reply.
 */
export interface ChatDeps extends ChainDeps {
  counters: GatewayCounters;
  logger: Logger;
  /** Rate limits and budgets: what each attempt used is charged to its client here. */
  quota?: QuotaGuard;
}

/** Tokens an answer reports (prompt + completion); 0 when the upstream sent no usage. */
export const tokensOf = (usage: Usage | undefined) =>
  usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);

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
  res: Response,
  body: Record<string, unknown>,
  stream: boolean,
  operation: Operation = 'chat',
) {
  return runChain(deps, {
    clientModel: body.model as string,
    body,
    stream,
    operation,
    signal: scope.signal,
    clientGone: scope.clientGone,
    client: scope.client,
    deadlineAt: scope.deadlineAt,
    span: scope.span,
    // Charged as each attempt's usage is known, whatever the request's fate: the tokens were spent.
    onUsage: deps.quota ? (usage) => deps.quota?.charge(res, usage) : undefined,
  });
}

/**
 * `x-inferwatch-failover` lists the providers in the order the request went through them: each one passed
 * over (breaker open, or failed) and last the one that answered. More than one entry means a failover.
 */
export const servedHeaders = (outcome: Pick<Extract<ChainOutcome, { ok: true }>, 'target' | 'tried'>) => ({
  'x-inferwatch-provider': outcome.target.provider,
  'x-inferwatch-failover': outcome.tried.join(','),
});
