import OpenAI from 'openai';
import { z } from 'zod';
import { genAiProviderName, serverOf } from '../providers/index.ts';
import type { Instruments } from '../telemetry/instruments.ts';
import * as n from '../telemetry/semconv.ts';
import { fitBudget } from './budget.ts';
import { categories, type Explanation, severities } from './categories.ts';
import type { AnalysisContext } from './context.ts';
import { groundingOf, isGrounded } from './evidence.ts';
import { createLimiter } from './limiter.ts';
import { redactDeep } from './redact.ts';

/** The only shape accepted from the model; anything else means the rule result stands. */
export const llmAnswerSchema = z.object({
  severity: z.enum(severities),
  category: z.enum(categories),
  summary: z.string().min(1).max(300),
  probableCause: z.string().min(1).max(1200),
  evidence: z.array(z.string().max(400)).max(12),
  actions: z.array(z.string().max(300)).min(1).max(8),
  confidence: z.number().min(0).max(1),
});

export const fallbackReasons = ['timeout', 'error', 'invalid_output', 'budget'] as const;
export type FallbackReason = (typeof fallbackReasons)[number];

export interface LlmOptions {
  baseURL: string;
  /** `gen_ai.provider.name` of these calls; unset: derived from the base URL's host. */
  genAiProviderName?: string | undefined;
  apiKey?: string | undefined;
  model: string;
  timeoutMs: number;
  maxConcurrency: number;
  /** Input tokens one group may spend (estimated at 4 characters a token); the context is trimmed to fit. */
  maxInputTokens: number;
  maxOutputTokens: number;
  temperature: number;
  instruments: Instruments;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
}

const system = `You are an SRE assistant explaining alerts about LLM inference (gateway, providers, probes).
Answer with ONE JSON object and nothing else:
{"severity": one of ${JSON.stringify(severities)}, "category": one of ${JSON.stringify(categories)},
 "summary": "one line", "probableCause": "...", "evidence": ["..."], "actions": ["..."], "confidence": 0..1}
Every evidence item MUST quote a number or a label value that appears in the context verbatim; do not invent numbers.
A rule-based draft is included; keep its category unless the context clearly contradicts it.`;

export type LlmExplainer = (context: AnalysisContext, draft: Explanation) => Promise<Explanation>;

export function createLlmExplainer(options: LlmOptions): LlmExplainer {
  const { instruments, now = Date.now } = options;
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey || 'unused',
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const limit = createLimiter(options.maxConcurrency);
  const server = serverOf(options.baseURL);
  // The analyzer's calls report the service they really go to, as the gateway's attempts do.
  const callAttributes = {
    [n.ATTR_GEN_AI_OPERATION_NAME]: n.OPERATION_CHAT,
    [n.ATTR_GEN_AI_PROVIDER_NAME]: genAiProviderName({ type: 'openai', ...options }),
    [n.ATTR_GEN_AI_REQUEST_MODEL]: options.model,
    ...(server ? { [n.ATTR_SERVER_ADDRESS]: server.address, [n.ATTR_SERVER_PORT]: server.port } : {}),
  };
  const fallback = (draft: Explanation, reason: FallbackReason): Explanation => {
    instruments.analyzerLlmFallbacks.record(1, { [n.ATTR_REASON]: reason });
    return { ...draft, source: 'rules', fallbackReason: reason };
  };

  return async (context, draft) => {
    const safeContext = redactDeep(fitBudget(context, options.maxInputTokens * 4 - system.length - 1500));
    const user = JSON.stringify({
      context: safeContext,
      ruleDraft: redactDeep({ ...draft, source: undefined }),
    });
    if ((system.length + user.length) / 4 > options.maxInputTokens) return fallback(draft, 'budget');
    return limit(async () => {
      const started = now();
      let outcome: 'success' | 'error' = 'error';
      try {
        const completion = await client.chat.completions.create(
          {
            model: options.model,
            temperature: options.temperature,
            max_tokens: options.maxOutputTokens,
            response_format: { type: 'json_object' },
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: user },
            ],
          },
          { timeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs) },
        );
        recordUsage(instruments, callAttributes, completion.usage);
        const parsed = llmAnswerSchema.safeParse(parseJson(completion.choices[0]?.message?.content ?? ''));
        if (!parsed.success) return fallback(draft, 'invalid_output');
        outcome = 'success';
        // The draft is derived from the context, so its numbers (counts, ratios) are legitimate quotes too.
        const grounding = groundingOf(user);
        const kept = parsed.data.evidence.filter((item) => isGrounded(item, grounding));
        return {
          ...parsed.data,
          evidence: kept.length > 0 ? kept : draft.evidence,
          source: 'llm',
          droppedEvidence: parsed.data.evidence.length - kept.length,
        };
      } catch (error) {
        // The only abort signal is our own deadline, so a user abort is a timeout too.
        const timedOut =
          error instanceof OpenAI.APIConnectionTimeoutError ||
          error instanceof OpenAI.APIUserAbortError ||
          ['TimeoutError', 'AbortError'].includes((error as Error).name);
        return fallback(draft, timedOut ? 'timeout' : 'error');
      } finally {
        instruments.analyzerLlmDuration.record((now() - started) / 1000, { [n.ATTR_OUTCOME]: outcome });
      }
    });
  };
}

function parseJson(text: string): unknown {
  const trimmed = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/```$/, '');
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function recordUsage(
  instruments: Instruments,
  base: Record<string, string | number>,
  usage: { prompt_tokens: number; completion_tokens: number } | undefined,
) {
  if (!usage) return;
  instruments.genAiTokenUsage.record(usage.prompt_tokens, { ...base, [n.ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
  instruments.genAiTokenUsage.record(usage.completion_tokens, {
    ...base,
    [n.ATTR_GEN_AI_TOKEN_TYPE]: 'output',
  });
}
