import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startAttempt } from './attempt-timers.ts';
import { sseData } from './sse.ts';
import { prepend, readChatStream } from './stream-reader.ts';
import type { ChunkSource, StreamChunk, StreamEnd } from './types.ts';

const chunk = (content: string, finish: string | null = null) =>
  sseData(JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] }));

/** The `data:` payload of a serialised event. */
const payload = (event: string) => event.slice('data: '.length, -'\n\n'.length);

/** Each string is one read from the upstream socket. */
const reads = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));

async function drain(source: Pick<ChunkSource, 'next'>) {
  const batches: string[][] = [];
  for (;;) {
    const next = await source.next();
    if (next.done) return { batches, end: next.value };
    batches.push(next.value.map((item) => item.data));
  }
}

const read = (body: Readable) => drain(readChatStream(body, startAttempt(10_000)));

describe('readChatStream', () => {
  it('yields the chunks one read completed as one batch, and ends at [DONE]', async () => {
    const { batches, end } = await read(
      reads(chunk('a') + chunk('b'), chunk('c'), chunk('', 'stop') + sseData('[DONE]')),
    );
    expect(batches.map((batch) => batch.length)).toEqual([2, 1, 1]);
    expect(end).toMatchObject({ ok: true, done: true, finishReason: 'stop' });
  });

  it('still forwards the good chunks of a read before a malformed one ends the stream', async () => {
    const { batches, end } = await read(reads(chunk('a') + chunk('b') + sseData('{"choices": [')));
    expect(batches).toEqual([[payload(chunk('a')), payload(chunk('b'))]]);
    expect(end).toMatchObject({ ok: false, type: 'malformed_response' });
  });

  it('calls a stream that closes without [DONE] or a finish_reason cut', async () => {
    const { end } = await read(reads(chunk('a'), chunk('b')));
    expect(end).toMatchObject({ ok: false, type: 'stream_cut' });
  });
});

describe('prepend', () => {
  const head: StreamChunk[] = [{ data: 'h', json: {} }];

  it('gives the chunks already read as the first batch, then the rest', async () => {
    const rest = readChatStream(reads(chunk('x', 'stop')), startAttempt(10_000));
    const { batches, end } = await drain(prepend(head, rest, undefined));
    expect(batches).toEqual([['h'], [payload(chunk('x', 'stop'))]]);
    expect(end).toMatchObject({ ok: true, done: false, finishReason: 'stop' });
  });

  it('ends with the outcome already known when the stream finished while its head was read', async () => {
    const ended: StreamEnd = { ok: true, done: true, finishReason: 'stop', usage: undefined };
    const rest = readChatStream(reads(), startAttempt(10_000));
    const { batches, end } = await drain(prepend(head, rest, ended));
    expect(batches).toEqual([['h']]);
    expect(end).toBe(ended);
  });
});
