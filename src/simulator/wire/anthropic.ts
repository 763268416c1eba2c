import type { ServerResponse } from 'node:http';
import type { Answer, StreamWire } from '../answer.ts';
import type { AnswerPlan } from '../faults.ts';

/**
 * Anthropic's Messages API as it sends it: a `message` object (JSON), or the event stream message_start,
 * content_block_start, ping, content_block_delta per token, content_block_stop, message_delta (stop
 * reason, output tokens), message_stop.
 */

const toolUse = { type: 'tool_use', id: 'toolu_sim1', name: 'lookup', input: {} };

function stopReason(answer: Answer, plan: AnswerPlan): string {
  if (plan.shape === 'tool-call') return 'tool_use';
  if (plan.contentFiltered) return 'refusal';
  if (plan.shape === 'empty-length' || answer.finishReason === 'length') return 'max_tokens';
  return answer.stopSequence === undefined ? 'end_turn' : 'stop_sequence';
}

const usage = (answer: Answer, output: number) => ({
  input_tokens: answer.promptTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
  service_tier: 'standard',
});

export function messagesBody(answer: Answer, plan: AnswerPlan): string {
  const text = answer.tokens.join('');
  const content = plan.shape === 'tool-call' ? [toolUse] : text === '' ? [] : [{ type: 'text', text }];
  return JSON.stringify({
    id: answer.id,
    type: 'message',
    role: 'assistant',
    model: answer.model,
    content,
    stop_reason: stopReason(answer, plan),
    stop_sequence: answer.stopSequence ?? null,
    usage: usage(answer, answer.tokens.length),
  });
}

export function messagesStreamWire(res: ServerResponse, answer: Answer, plan: AnswerPlan): StreamWire {
  const emit = (type: string, data: Record<string, unknown> = {}) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  return {
    open() {
      const message = { id: answer.id, type: 'message', role: 'assistant', model: answer.model, content: [] };
      emit('message_start', {
        message: { ...message, stop_reason: null, stop_sequence: null, usage: usage(answer, 1) },
      });
      if (plan.shape === 'tool-call') {
        emit('content_block_start', { index: 0, content_block: toolUse });
        emit('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } });
        emit('content_block_stop', { index: 0 });
        return;
      }
      emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
      emit('ping');
    },
    token: (text) => emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    malformed: () =>
      res.write('event: content_block_delta\ndata: {"type":"content_block_delta","delta":\n\n'),
    // Anthropic's mid-stream failures are most often capacity: an overloaded_error event after a 200.
    errorEvent: () =>
      emit('error', { error: { type: 'overloaded_error', message: 'Overloaded (simulated)' } }),
    finish() {
      if (plan.shape !== 'tool-call') emit('content_block_stop', { index: 0 });
      emit('message_delta', {
        delta: { stop_reason: stopReason(answer, plan), stop_sequence: answer.stopSequence ?? null },
        usage: { output_tokens: answer.tokens.length },
      });
    },
    terminate: () => emit('message_stop'),
  };
}
