/**
 * `npm run eval`: scores the rule classifier on the labelled corpus and, when an LLM endpoint is
 * configured, the LLM path too:
 *   INFERWATCH_EVAL_LLM_BASE_URL  (e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1)
 *   INFERWATCH_EVAL_LLM_API_KEY   (optional for local servers)
 *   INFERWATCH_EVAL_LLM_MODEL     (default gpt-4o-mini)
 */
import { createLlmExplainer } from '../src/analyzer/llm.ts';
import { createTelemetry } from '../src/telemetry/index.ts';
import { type Explain, loadScenarios, report, score } from './score.ts';

const scenarios = loadScenarios();
console.log(report('Rule classifier', await score(scenarios)));

const baseURL = process.env.INFERWATCH_EVAL_LLM_BASE_URL;
if (baseURL) {
  let tokens = 0;
  // Reads token usage off the wire, so the count is what the provider billed.
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { usage?: { prompt_tokens?: number; completion_tokens?: number } };
    const usage = body.usage;
    tokens += (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);
    return response;
  };
  const llm = createLlmExplainer({
    baseURL,
    apiKey: process.env.INFERWATCH_EVAL_LLM_API_KEY,
    model: process.env.INFERWATCH_EVAL_LLM_MODEL ?? 'gpt-4o-mini',
    timeoutMs: 60_000,
    maxConcurrency: 1,
    maxInputTokens: 6_000,
    maxOutputTokens: 800,
    temperature: 0.1,
    instruments: createTelemetry().instruments,
    fetch: countingFetch,
  });
  const explain: Explain = async (context, draft) => {
    const before = tokens;
    const result = await llm(context, draft);
    return { ...result, tokens: tokens - before };
  };
  console.log(
    `\n${report(`LLM path (${process.env.INFERWATCH_EVAL_LLM_MODEL ?? 'gpt-4o-mini'})`, await score(scenarios, explain))}`,
  );
} else console.log('\n(LLM path skipped: set INFERWATCH_EVAL_LLM_BASE_URL to score it.)');
