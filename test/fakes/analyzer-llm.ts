import express from 'express';
import { type Listening, listen } from '../../src/http/index.ts';

export type LlmMode = 'good' | 'invented' | 'invalid' | 'slow' | 'fail';

/**
 * An OpenAI-compatible chat completions endpoint with scripted answers. `good` echoes the rule draft's
 * category with evidence taken from the draft (grounded); `invented` adds evidence quoting numbers and
 * names that are nowhere in the context; `invalid` answers prose; `slow` never answers within a test's
 * timeout; `fail` answers 500.
 */
export async function startFakeLlm(initial: LlmMode = 'good') {
  let mode: LlmMode = initial;
  const requests: { body: Record<string, unknown>; authorization: string | undefined }[] = [];
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.post('/v1/chat/completions', async (req, res) => {
    requests.push({ body: req.body, authorization: req.headers.authorization });
    if (mode === 'fail')
      return void res.status(500).json({ error: { message: 'boom', type: 'server_error' } });
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 5_000));
    const user = JSON.parse(req.body.messages.at(-1).content) as {
      ruleDraft: { category: string; severity: string; evidence: string[] };
    };
    const draft = user.ruleDraft;
    const answer =
      mode === 'invalid'
        ? 'I think the provider is down, sorry, no JSON today.'
        : JSON.stringify({
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
    res.json({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: req.body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: answer } }],
      usage: { prompt_tokens: 321, completion_tokens: 54, total_tokens: 375 },
    });
  });
  const listening: Listening = await listen(app);
  return {
    baseURL: `${listening.url}/v1`,
    requests,
    setMode: (next: LlmMode) => {
      mode = next;
    },
    close: () => listening.close(0),
  };
}
