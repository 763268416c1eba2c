/**
 * A minimal Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * feeds bytes, yields complete events. Only `data:` and `event:` fields matter for OpenAI streams;
 * comment lines (`: keep-alive`) and events without data are dropped.
 *
 * It sits on the hot path of every streamed request (once per upstream read), so it works on one string
 * with offsets instead of slicing the buffer per event, and takes a fast path for the common OpenAI block
 * (a single `data: ...` line).
 */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

const DATA_PREFIX = 'data: ';

export class SseParser {
  #buffer = '';
  #decoder = new TextDecoder();
  /** The previous chunk ended in CR: a LF starting this one belongs to that CRLF, not a new line. */
  #skipLeadingLF = false;

  /** Returns the events completed by this chunk, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = this.#normaliseLineEnds(
      typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true }),
    );
    const buffer = this.#buffer === '' ? text : this.#buffer + text;
    const events: SseEvent[] = [];
    let start = 0;
    // Line ends are LF only by now, so an event ends at the first blank line: "\n\n".
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n', start)) {
      const event = parseBlock(buffer, start, end);
      if (event) events.push(event);
      start = end + 2;
    }
    this.#buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  /** Whatever is left when the stream ends: a final event without its blank line, or nothing. */
  flush(): SseEvent[] {
    const rest = this.#buffer + this.#normaliseLineEnds(this.#decoder.decode());
    this.#buffer = '';
    this.#skipLeadingLF = false;
    if (rest.trim() === '') return [];
    const event = parseBlock(rest, 0, rest.length);
    return event ? [event] : [];
  }

  /** Characters buffered but not yet a complete event (bounded by callers to reject runaway lines). */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * CRLF and lone CR are legal line ends; rewriting them to LF once, as text arrives, keeps the event
   * scan a plain indexOf. A CRLF split across two reads is caught by remembering a trailing CR.
   */
  #normaliseLineEnds(text: string): string {
    let normalised = text;
    if (this.#skipLeadingLF && normalised.startsWith('\n')) normalised = normalised.slice(1);
    this.#skipLeadingLF = normalised.endsWith('\r');
    return normalised.includes('\r') ? normalised.replace(/\r\n?/g, '\n') : normalised;
  }
}

/** Parses the block `buffer[start, end)`: the lines of one event, LF-separated, without its blank line. */
function parseBlock(buffer: string, start: number, end: number): SseEvent | undefined {
  // OpenAI's every chunk: one `data: {...}` line. No slicing beyond the payload itself.
  if (buffer.startsWith(DATA_PREFIX, start)) {
    const lineEnd = buffer.indexOf('\n', start);
    if (lineEnd === -1 || lineEnd >= end) {
      return { event: undefined, data: buffer.slice(start + DATA_PREFIX.length, end) };
    }
  }
  const data: string[] = [];
  let event: string | undefined;
  for (const line of buffer.slice(start, end).split('\n')) {
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
