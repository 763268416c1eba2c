import type { ServerResponse } from 'node:http';
import type { Answer, StreamWire } from '../answer.ts';
import type { AnswerPlan } from '../faults.ts';
import { midStreamError, openAIUsage } from './openai-chat.ts';

/** A legacy text completion ends by `stop` or `length`; a filtered one by `content_filter`. */
const finish = (answer: Answer, plan: AnswerPlan) =>
  plan.contentFiltered ? 'content_filter' : plan.shape === 'empty-length' ? 'length' : answer.finishReason;

/** `POST /v1/completions` streamed: one `text_completion` chunk per token, a finish chunk, usage, [DONE]. */
export function completionStreamWire(res: ServerResponse, answer: Answer, plan: AnswerPlan): StreamWire {
  const base = { id: answer.id, object: 'text_completion', created: answer.created, model: answer.model };
  const send = (text: string, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }] })}\n\n`,
    );
  return {
    open() {},
    token: (text) => send(text),
    malformed: () => res.write('data: {"id":"cmpl-sim","choices":[{"text":\n\n'),
    errorEvent: () => res.write(`data: ${JSON.stringify({ error: midStreamError })}\n\n`),
    finish() {
      if (plan.shape !== 'no-choices') send('', finish(answer, plan));
      if (answer.includeUsage)
        res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: openAIUsage(answer) })}\n\n`);
    },
    terminate: () => res.write('data: [DONE]\n\n'),
  };
}

/** A `text_completion` object. */
export function completionBody(answer: Answer, plan: AnswerPlan): string {
  const text = plan.contentFiltered ? '' : answer.tokens.join('');
  const choices =
    plan.shape === 'no-choices'
      ? []
      : [{ text, index: 0, logprobs: null, finish_reason: finish(answer, plan) }];
  return JSON.stringify({
    id: answer.id,
    object: 'text_completion',
    created: answer.created,
    model: answer.model,
    choices,
    usage: openAIUsage(answer),
  });
}
