import type { ServerResponse } from 'node:http';
import type { Answer, StreamWire } from '../answer.ts';
import type { AnswerPlan } from '../faults.ts';

const fingerprint = 'fp_inferwatch_sim';

/** The one tool call a `tool-call` answer carries instead of text. */
const toolCall = { id: 'call_sim1', type: 'function', function: { name: 'lookup', arguments: '{}' } };

/** A `tool-stream` answer's call: its id differs per answer, as a real provider's does. */
const streamedToolCall = (answer: Answer) => ({ id: `call_${answer.id.slice(-12)}`, type: 'function' });

export const openAIUsage = (answer: Answer) => ({
  prompt_tokens: answer.promptTokens,
  completion_tokens: answer.tokens.length,
  total_tokens: answer.promptTokens + answer.tokens.length,
});

export const midStreamError = {
  message:
    'The server had an error while processing your request: worker gpu-17.internal crashed (simulated).',
  type: 'server_error',
  code: 'server_error',
};

export const chatFinishReason = (answer: Answer, plan: AnswerPlan) =>
  plan.shape === 'tool-call' || plan.shape === 'tool-stream'
    ? 'tool_calls'
    : plan.shape === 'empty-length'
      ? 'length'
      : answer.finishReason;

/** SSE exactly as OpenAI sends it: a role chunk, one chunk per token, a finish chunk, usage, [DONE]. */
export function chatStreamWire(res: ServerResponse, answer: Answer, plan: AnswerPlan): StreamWire {
  const base = {
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
  };
  const extra = answer.includeUsage ? { usage: null } : {};
  const send = (delta: object, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, system_fingerprint: fingerprint, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra })}\n\n`,
    );
  return {
    open() {
      if (plan.azurePreamble) {
        const filter = { prompt_index: 0, content_filter_results: {} };
        res.write(
          `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [filter] })}\n\n`,
        );
      }
      if (plan.shape !== 'no-choices') send({ role: 'assistant', content: '', refusal: null });
      if (plan.shape === 'tool-call') send({ tool_calls: [{ index: 0, ...toolCall }] });
      if (plan.shape === 'tool-stream')
        send({
          tool_calls: [
            { index: 0, ...streamedToolCall(answer), function: { name: 'lookup', arguments: '' } },
          ],
        });
    },
    // A tool-stream answer's arguments (the reply as JSON) stream a piece at a time, as content would.
    token: (text) =>
      send(
        plan.shape === 'tool-stream'
          ? { tool_calls: [{ index: 0, function: { arguments: text } }] }
          : { content: text },
      ),
    malformed: () => res.write('data: {"id":"chatcmpl-sim","choices":[{"delta":{"content":\n\n'),
    errorEvent: () => res.write(`data: ${JSON.stringify({ error: midStreamError })}\n\n`),
    finish() {
      send({}, plan.contentFiltered ? 'content_filter' : chatFinishReason(answer, plan));
      if (answer.includeUsage) {
        res.write(
          `data: ${JSON.stringify({ ...base, system_fingerprint: fingerprint, choices: [], usage: openAIUsage(answer) })}\n\n`,
        );
      }
    },
    terminate: () => res.write('data: [DONE]\n\n'),
  };
}

/** A `chat.completion` object. */
export function chatBody(answer: Answer, plan: AnswerPlan): string {
  const streamed = {
    ...streamedToolCall(answer),
    function: { name: 'lookup', arguments: answer.tokens.join('') },
  };
  const message =
    plan.shape === 'tool-call'
      ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null }
      : plan.shape === 'tool-stream'
        ? { role: 'assistant', content: null, tool_calls: [streamed], refusal: null }
        : { role: 'assistant', content: plan.contentFiltered ? null : answer.tokens.join(''), refusal: null };
  const choices =
    plan.shape === 'no-choices'
      ? []
      : [
          {
            index: 0,
            message,
            logprobs: null,
            finish_reason: plan.contentFiltered ? 'content_filter' : chatFinishReason(answer, plan),
          },
        ];
  return JSON.stringify({
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    system_fingerprint: fingerprint,
    choices,
    usage: openAIUsage(answer),
  });
}
