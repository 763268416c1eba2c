import type { ServerResponse } from 'node:http';
import type { Answer, StreamWire } from '../answer.ts';
import type { AnswerPlan } from '../faults.ts';

/**
 * The Responses API as OpenAI sends it: a `response` object (JSON), or typed events (`event:` and `data:`)
 * from `response.created` to `response.completed`, each numbered by `sequence_number`, with no [DONE].
 */

export interface ResponseContext {
  /** The `previous_response_id` the request continued, echoed back. */
  previousResponseId: string | null;
  /** Whether the response is stored (retrievable by id, and continuable). */
  store: boolean;
}

const usage = (answer: Answer) => ({
  input_tokens: answer.promptTokens,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: answer.tokens.length,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: answer.promptTokens + answer.tokens.length,
});

const messageId = (answer: Answer) => `msg_${answer.id.slice('resp_'.length)}`;

function outputItem(answer: Answer, plan: AnswerPlan, status: 'in_progress' | 'completed') {
  if (plan.shape === 'tool-call') {
    return {
      id: `fc_${answer.id.slice(5)}`,
      type: 'function_call',
      status,
      call_id: 'call_sim1',
      name: 'lookup',
      arguments: '{}',
    };
  }
  const text = answer.tokens.join('');
  return {
    id: messageId(answer),
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [],
  };
}

/** The `response` object at a point of its life; `completed` carries the output and usage. */
export function responseObject(
  answer: Answer,
  plan: AnswerPlan,
  context: ResponseContext,
  status: 'in_progress' | 'completed',
) {
  const truncated = answer.finishReason === 'length' || plan.shape === 'empty-length';
  const finalStatus = status === 'completed' && truncated ? 'incomplete' : status;
  return {
    id: answer.id,
    object: 'response',
    created_at: answer.created,
    status: finalStatus,
    error: null,
    incomplete_details: finalStatus === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    model: answer.model,
    output:
      status === 'completed' && plan.shape !== 'no-choices' ? [outputItem(answer, plan, 'completed')] : [],
    parallel_tool_calls: true,
    previous_response_id: context.previousResponseId,
    store: context.store,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: status === 'completed' ? usage(answer) : null,
    metadata: {},
  };
}

export function responsesStreamWire(
  res: ServerResponse,
  answer: Answer,
  plan: AnswerPlan,
  context: ResponseContext,
): StreamWire {
  let sequence = 0;
  const emit = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  const where = { item_id: messageId(answer), output_index: 0, content_index: 0 };
  const text = answer.tokens.join('');
  const textual = plan.shape !== 'tool-call' && plan.shape !== 'no-choices';
  return {
    open() {
      emit('response.created', { response: responseObject(answer, plan, context, 'in_progress') });
      emit('response.in_progress', { response: responseObject(answer, plan, context, 'in_progress') });
      if (plan.shape === 'no-choices') return;
      emit('response.output_item.added', { output_index: 0, item: outputItem(answer, plan, 'in_progress') });
      if (textual)
        emit('response.content_part.added', {
          ...where,
          part: { type: 'output_text', text: '', annotations: [] },
        });
    },
    token: (delta) => emit('response.output_text.delta', { ...where, delta, logprobs: [] }),
    malformed: () =>
      res.write('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n'),
    errorEvent: () =>
      emit('error', {
        code: 'server_error',
        message:
          'The server had an error while processing your request: worker gpu-17.internal crashed (simulated).',
        param: null,
      }),
    finish() {
      if (textual) {
        emit('response.output_text.done', { ...where, text, logprobs: [] });
        emit('response.content_part.done', {
          ...where,
          part: { type: 'output_text', text, annotations: [] },
        });
      }
      emit('response.output_item.done', { output_index: 0, item: outputItem(answer, plan, 'completed') });
    },
    terminate() {
      const response = responseObject(answer, plan, context, 'completed');
      emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    },
  };
}
