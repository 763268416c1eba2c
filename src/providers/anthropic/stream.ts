import { type Failure, failure } from '../failure.ts';
import type { SseEvent } from '../sse.ts';
import type { StreamEnd, Usage } from '../types.ts';
import { type AnthropicUsage, finishReason, toUsage } from './answer.ts';
import { streamErrorFailure } from './errors.ts';

/**
 * Anthropic's typed event stream → OpenAI chat completion chunks, one event at a time:
 *
 *   message_start        → the role chunk (id and model come from here)
 *   content_block_start  → a tool call's opening chunk (id, name); text blocks open silently
 *   content_block_delta  → content (text_delta) or tool-call arguments (input_json_delta)
 *   message_delta        → the finish chunk (stop_reason → finish_reason) and the output token count
 *   message_stop         → the usage chunk when the client asked for it; the stream is complete
 *   ping                 → nothing (bytes on the wire keep the idle timer alive)
 *   error                → the stream's end, classified like an HTTP error of that type
 *
 * Thinking blocks and event types this does not know are skipped: Anthropic adds event types over time
 * and asks clients to ignore the ones they do not handle.
 */

export interface Step {
  /** Chat completion chunks to send, in order (often none). */
  chunks: Record<string, unknown>[];
  /** Set once the stream is over: complete, or failed. */
  end?: StreamEnd;
}

export interface StreamTranslator {
  push(event: SseEvent): Step;
  /** The upstream body ended: complete if a stop reason came, else a cut. */
  finish(): StreamEnd;
}

interface Event {
  type?: unknown;
  index?: unknown;
  message?: { id?: unknown; model?: unknown; usage?: AnthropicUsage };
  content_block?: { type?: unknown; id?: unknown; name?: unknown; text?: unknown };
  delta?: { type?: unknown; text?: unknown; partial_json?: unknown; stop_reason?: unknown };
  usage?: AnthropicUsage;
  error?: { type?: unknown; message?: unknown };
}

export function createStreamTranslator({
  created,
  includeUsage,
}: {
  created: number;
  includeUsage: boolean;
}): StreamTranslator {
  let id = '';
  let model = '';
  let usage: AnthropicUsage = {};
  let reason: string | null = null;
  let events = 0;
  /** Content block index → position in tool_calls: OpenAI numbers tool calls, Anthropic numbers blocks. */
  const toolIndex = new Map<number, number>();

  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const totals = (): Usage | undefined => toUsage(usage);
  const complete = (done: boolean): StreamEnd => ({
    ok: true,
    done,
    finishReason: reason ?? undefined,
    usage: totals(),
  });

  const handlers: Record<string, (event: Event) => Step> = {
    message_start(event) {
      id = String(event.message?.id ?? '');
      model = String(event.message?.model ?? '');
      usage = { ...event.message?.usage };
      return { chunks: [chunk({ role: 'assistant', content: '' })] };
    },
    content_block_start(event) {
      const block = event.content_block;
      const index = Number(event.index);
      if (block?.type === 'text' && typeof block.text === 'string' && block.text !== '') {
        return { chunks: [chunk({ content: block.text })] };
      }
      if (block?.type !== 'tool_use') return { chunks: [] };
      const position = toolIndex.size;
      toolIndex.set(index, position);
      const call = {
        index: position,
        id: String(block.id),
        type: 'function',
        function: { name: String(block.name), arguments: '' },
      };
      return { chunks: [chunk({ tool_calls: [call] })] };
    },
    content_block_delta(event) {
      const delta = event.delta;
      if (delta?.type === 'text_delta' && typeof delta.text === 'string') {
        return { chunks: delta.text === '' ? [] : [chunk({ content: delta.text })] };
      }
      const position = toolIndex.get(Number(event.index));
      if (
        delta?.type === 'input_json_delta' &&
        typeof delta.partial_json === 'string' &&
        position !== undefined
      ) {
        if (delta.partial_json === '') return { chunks: [] };
        return {
          chunks: [chunk({ tool_calls: [{ index: position, function: { arguments: delta.partial_json } }] })],
        };
      }
      return { chunks: [] };
    },
    message_delta(event) {
      // Output tokens in message_delta are cumulative; newer API versions repeat the input counts here.
      usage = { ...usage, ...definedCounts(event.usage) };
      reason = finishReason(event.delta?.stop_reason) ?? reason;
      return { chunks: reason ? [chunk({}, reason)] : [] };
    },
    message_stop() {
      const chunks: Record<string, unknown>[] = [];
      if (includeUsage)
        chunks.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: totals() });
      return { chunks, end: complete(true) };
    },
    error: (event) => ({ chunks: [], end: streamErrorFailure(event) }),
  };

  return {
    push(event) {
      let json: Event;
      try {
        json = JSON.parse(event.data) as Event;
      } catch {
        // Not the bytes themselves: a broken event can carry generated text.
        return { chunks: [], end: malformed(`stream event of ${event.data.length} characters is not JSON`) };
      }
      if (typeof json !== 'object' || json === null)
        return { chunks: [], end: malformed('stream event is not a JSON object') };
      const type = typeof json.type === 'string' ? json.type : (event.event ?? '');
      if (events === 0 && type !== 'message_start' && type !== 'error' && type !== 'ping') {
        return {
          chunks: [],
          end: malformed(`the stream opened with ${type || 'an untyped event'}, not message_start`),
        };
      }
      events += 1;
      const handle = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
      return handle ? handle(json) : { chunks: [] };
    },
    finish() {
      // A stop reason without message_stop is an answer that ended; without either, a cut.
      if (reason) return complete(false);
      return failure(
        'stream_cut',
        `the stream ended after ${events} events without a stop reason or message_stop`,
      );
    },
  };
}

const malformed = (message: string): Failure => failure('malformed_response', message);

/** The counts an event carries, without the ones it leaves out (which must not erase earlier counts). */
function definedCounts(usage: AnthropicUsage | undefined): AnthropicUsage {
  const out: AnthropicUsage = {};
  if (!usage) return out;
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_creation_input_tokens',
    'cache_read_input_tokens',
  ] as const) {
    if (typeof usage[key] === 'number') out[key] = usage[key];
  }
  return out;
}
