import type { ChatRequest } from '../../src/simulator/index.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';

export type LlmMode = 'good' | 'invented' | 'invalid' | 'slow' | 'fail';

/** What the analyzer sends as its last message: the context and the rule-based draft, as JSON. */
interface AnalyzerPrompt {
  ruleDraft: { category: string; severity: string; evidence: string[] };
}

/**
 * The analyzer's LLM: the simulator with scripted content. `good` echoes the rule draft's category with
 * evidence taken from the draft (grounded); `invented` adds evidence quoting numbers and names that are
 * nowhere in the context; `invalid` answers prose. `slow` and `fail` are the simulator's own runtime
 * faults (an answer 5 s late, a 500), so transport, errors and the wire format are the real stand-in's.
 */
export async function startScriptedLlm(
  initial: LlmMode = 'good',
  { models = ['fake-mini', 'fake'] }: { models?: string[] } = {},
): Promise<SimulatedUpstream & { setMode(mode: LlmMode): void }> {
  let mode: LlmMode = initial;
  const reply = (request: ChatRequest): string => {
    if (mode === 'invalid') return 'I think the provider is down, sorry, no JSON today.';
    const last = request.messages.at(-1)?.content;
    const { ruleDraft: draft } = JSON.parse(typeof last === 'string' ? last : '{}') as AnalyzerPrompt;
    return JSON.stringify({
      severity: draft.severity,
      category: draft.category,
      summary: 'LLM summary: provider trouble',
      probableCause: 'LLM cause',
      evidence:
        mode === 'invented'
          ? [...draft.evidence, 'error rate 97.3% on db-primary-7', 'Kafka lag 123456 messages']
          : draft.evidence,
      actions: ['LLM action'],
      confidence: 0.9,
    });
  };
  const upstream = await startSimulatedUpstream({ models, reply });
  const apply = (next: LlmMode) => {
    mode = next;
    if (next === 'slow') upstream.setFaults({ latencyMs: 5_000 });
    else if (next === 'fail') upstream.setFaults({ mode: 'server_error' });
    else upstream.setFaults(undefined);
  };
  apply(initial);
  return Object.assign(upstream, { setMode: apply });
}
