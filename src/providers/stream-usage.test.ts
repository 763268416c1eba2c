import { describe, expect, it } from 'vitest';
import { rejectsStreamOptions, requestUsage, stripAddedUsage } from './stream-usage.ts';

const strip = (data: string) => stripAddedUsage(data, JSON.parse(data));

describe('requestUsage', () => {
  it.each([
    ['no stream_options', {}, { include_usage: true }],
    ['include_usage false', { stream_options: { include_usage: false } }, { include_usage: true }],
    [
      'other stream options',
      { stream_options: { include_obfuscation: false } },
      { include_obfuscation: false, include_usage: true },
    ],
  ])('asks for usage when the client sent %s, keeping its other options', (_label, extra, expected) => {
    const asked = requestUsage({ model: 'm', stream: true, ...extra }, false);
    expect(asked).toMatchObject({ added: true, body: { model: 'm', stream_options: expected } });
  });

  it('leaves the body alone when the client asked, or the upstream rejects the option', () => {
    const asked = { model: 'm', stream_options: { include_usage: true } };
    expect(requestUsage(asked, false)).toEqual({ body: asked, added: false });
    const plain = { model: 'm' };
    expect(requestUsage(plain, true)).toEqual({ body: plain, added: false });
  });
});

describe('stripAddedUsage', () => {
  it('drops the usage-only chunk', () => {
    expect(
      strip('{"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}'),
    ).toBeUndefined();
  });

  it.each([
    ['at the end', '{"id":"x","choices":[{"delta":{"content":"hi"}}],"usage":null}'],
    ['first', '{"usage":null,"id":"x","choices":[{"delta":{"content":"hi"}}]}'],
  ])('cuts a "usage":null field %s out of the text, leaving the rest byte for byte', (_label, data) => {
    expect(strip(data)).toBe('{"id":"x","choices":[{"delta":{"content":"hi"}}]}');
  });

  it('re-serialises what is less plain: spaced JSON, usage on a chunk that has choices', () => {
    expect(strip('{"id": "x", "choices": [], "usage": null}')).toBe('{"id":"x","choices":[]}');
    expect(strip('{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"completion_tokens":3}}')).toBe(
      '{"choices":[{"delta":{},"finish_reason":"stop"}]}',
    );
  });

  it('does not touch the text of a chunk that quotes the field in its content', () => {
    const data = '{"choices":[{"delta":{"content":"say \\",\\"usage\\":null"}}],"usage":null}';
    expect(JSON.parse(strip(data) ?? '')).toEqual({
      choices: [{ delta: { content: 'say ","usage":null' } }],
    });
  });

  it('passes a chunk without usage through untouched', () => {
    const data = '{"choices":[{"delta":{"content":"hi"}}]}';
    expect(strip(data)).toBe(data);
  });
});

describe('rejectsStreamOptions', () => {
  it.each([
    [400, 'Unrecognized request argument supplied: stream_options', true],
    [422, '{"detail":[{"loc":["body","stream_options"],"msg":"extra fields not permitted"}]}', true],
    [400, "This model's maximum context length is 8192 tokens", false],
    [500, 'stream_options', false],
  ])('status %i with %j → %s', (status, text, expected) => {
    expect(rejectsStreamOptions(status, text)).toBe(expected);
  });
});
