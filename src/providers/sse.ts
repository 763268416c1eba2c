/**
 * A minimal Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * feeds bytes, yields complete events. Only `data:` and `event:` fields matter for OpenAI streams;
 * comments (`: keep-alive`) are reported so idle timers can count them as liveness.
 */
export interface SseEvent {
  event?: string | undefined;
  data: string;
}

export class SseParser {
  #buffer = '';
  #decoder = new TextDecoder();

  /** Returns the events completed by this chunk; `comment` is true when only comments arrived. */
  push(chunk: Uint8Array | string): SseEvent[] {
    this.#buffer += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    // Events end with a blank line; CRLF and CR are legal line ends too.
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.#buffer);
      if (!match) break;
      const block = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }

  /** Whatever is left when the stream ends: a final event without its blank line, or nothing. */
  flush(): SseEvent[] {
    const rest = this.#buffer + this.#decoder.decode();
    this.#buffer = '';
    if (rest.trim() === '') return [];
    const event = parseBlock(rest);
    return event ? [event] : [];
  }

  /** Bytes buffered but not yet a complete event (bounded by callers to reject runaway lines). */
  get pending(): number {
    return this.#buffer.length;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  const data: string[] = [];
  let event: string | undefined;
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  if (data.length === 0) return undefined;
  return { event, data: data.join('\n') };
}

/** Serialises one SSE data event the way OpenAI does. */
export const sseData = (data: string) => `data: ${data}\n\n`;
export const SSE_DONE = 'data: [DONE]\n\n';
