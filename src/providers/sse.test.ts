import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

/** Feeds `text` split at every position in `cuts`, collecting the data of each event in order. */
function parse(text: string, cuts: number[] = []): string[] {
  const parser = new SseParser();
  const data: string[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    for (const event of parser.push(Buffer.from(text.slice(from, cut)))) data.push(event.data);
    from = cut;
  }
  for (const event of parser.flush()) data.push(event.data);
  return data;
}

/** Every way of cutting `text` in two: a boundary can fall anywhere in a network read. */
const everySplit = (text: string) => Array.from({ length: text.length + 1 }, (_, at) => parse(text, [at]));

describe('SseParser', () => {
  it('reads OpenAI-style events, however the bytes are split', () => {
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    for (const events of everySplit(text)) expect(events).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
  });

  it('treats CRLF, lone CR and mixed line ends as the spec does, a CRLF split across reads included', () => {
    const text = 'data: a\r\n\r\ndata: b\r\rdata: c\r\n\ndata: d\n\r\n';
    for (const events of everySplit(text)) expect(events).toEqual(['a', 'b', 'c', 'd']);
    // Each event is complete at its blank line, not only when the stream ends.
    const parser = new SseParser();
    expect(parser.push('data: d\n\r\n').map((event) => event.data)).toEqual(['d']);
    expect(parser.push('data: e\r').map((event) => event.data)).toEqual([]);
    expect(parser.push('\n\r\n').map((event) => event.data)).toEqual(['e']);
  });

  it('joins multi-line data, keeps the event name, and drops comments and events without data', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\n\nevent: error\ndata: line 1\ndata:line 2\n\nevent: ping\n\n');
    expect(events).toEqual([{ event: 'error', data: 'line 1\nline 2' }]);
  });

  it('removes exactly one space after the colon and accepts a field without a value', () => {
    expect(parse('data:  two spaces\n\ndata\n\n')).toEqual([' two spaces', '']);
  });

  it('returns a last event that lacks its blank line on flush, and nothing for trailing blank lines', () => {
    expect(parse('data: a\n\ndata: tail')).toEqual(['a', 'tail']);
    expect(parse('data: a\n\n\n\n')).toEqual(['a']);
  });

  it('decodes a UTF-8 character split across reads', () => {
    const bytes = Buffer.from('data: héllo €\n\n');
    const parser = new SseParser();
    const events = [];
    for (let at = 0; at < bytes.length; at += 1) events.push(...parser.push(bytes.subarray(at, at + 1)));
    expect(events.map((event) => event.data)).toEqual(['héllo €']);
  });

  it('reports what it holds without an event boundary', () => {
    const parser = new SseParser();
    parser.push('data: {"partial":');
    expect(parser.pending).toBe('data: {"partial":'.length);
    parser.push('1}\n\n');
    expect(parser.pending).toBe(0);
  });
});
