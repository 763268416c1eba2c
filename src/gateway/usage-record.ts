import type { Attributes } from '@opentelemetry/api';
import type { CallTally } from '../providers/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import type { Target } from './model-router.ts';
import type { Pricing } from './pricing.ts';
import { countTokens, outputRate, type TokenCount } from './tokens.ts';
import type { UsageLedger } from './usage-ledger.ts';

/** Token accounting shared by every attempt: prices and the running totals. */
export interface Accounting {
  pricing: Pricing;
  ledger: UsageLedger;
}

export interface UsageInput {
  instruments: Instruments;
  accounting: Accounting;
  target: Target;
  /** `inferwatch.provider.name` and `gen_ai.provider.name` of the target's provider. */
  provider: Attributes;
  /** The name the upstream answered with: what the price is looked up by. */
  responseModel: string | undefined;
  /** Its bounded metric label. */
  responseLabel: string | undefined;
  /** The attempt's GenAI labels (provider, models, error type). */
  labels: Attributes;
  client: string;
  tally: CallTally;
  /** The body sent upstream: its messages are what an input estimate counts. */
  body: Record<string, unknown>;
  stream: boolean;
}

/**
 * What one attempt consumed, recorded: token usage (marked when estimated), cost for priced models, a
 * stream's generation speed, and the running totals. Nothing for an attempt the upstream never answered.
 */
export function recordUsage(
  input: UsageInput,
): { tokens: TokenCount; costUsd: number | undefined } | undefined {
  const { instruments, target, responseModel, responseLabel, client, tally } = input;
  const tokens = countTokens(tally, input.body);
  if (!tokens) return undefined;
  const costUsd = input.accounting.pricing.cost(target.provider, [target.model, responseModel], tokens);
  const tokenLabels = {
    ...input.labels,
    [n.ATTR_CLIENT]: client,
    ...(tokens.estimated ? { [n.ATTR_USAGE_ESTIMATED]: true } : {}),
  };
  instruments.genAiTokenUsage.record(tokens.input, { ...tokenLabels, [n.ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
  instruments.genAiTokenUsage.record(tokens.output, { ...tokenLabels, [n.ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
  if (costUsd !== undefined) {
    instruments.gatewayCost.record(costUsd, {
      ...input.provider,
      [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
      [n.ATTR_CLIENT]: client,
    });
  }
  const rate = input.stream ? outputRate(tally, tokens.output) : undefined;
  if (rate !== undefined) {
    instruments.gatewayOutputTokensRate.record(rate, {
      ...input.provider,
      [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
      ...(responseLabel ? { [n.ATTR_GEN_AI_RESPONSE_MODEL]: responseLabel } : {}),
    });
  }
  input.accounting.ledger.add({
    client,
    target: target.key,
    input: tokens.input,
    output: tokens.output,
    estimated: tokens.estimated,
    costUsd,
  });
  return { tokens, costUsd };
}
