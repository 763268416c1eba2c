import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from './redact.ts';

describe('redact', () => {
  it.each([
    ['Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
    ['key sk-proj-abcdefghijklmnop123456 failed', 'sk-proj-abcdefghijklmnop123456'],
    ['slack xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['AWS AKIAABCDEFGHIJKLMNOP here', 'AKIAABCDEFGHIJKLMNOP'],
    ['api_key=verysecretvalue', 'verysecretvalue'],
    ['"password": "hunter2pass"', 'hunter2pass'],
    ['postgres://app:pa55word@db:5432/x', 'pa55word'],
    ['mail oncall@example.com now', 'oncall@example.com'],
    ['from 192.168.1.20:9090', '192.168.1.20'],
    ['v6 2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334'],
    ['sha 0123456789abcdef0123456789abcdef01234567', '0123456789abcdef0123456789abcdef01234567'],
  ])('removes the secret from %s', (input, secret) => {
    expect(redact(input)).not.toContain(secret);
  });

  it('keeps label values the analysis needs', () => {
    const text = 'provider openai model gpt-4o-mini region eu-west-1 error_type rate_limited 4.2/s 0.95';
    expect(redact(text)).toBe(text);
  });

  it('redacts keys and values deep inside objects', () => {
    expect(redactDeep({ labels: { 'oncall@example.com': ['10.0.0.1'] } })).toEqual({
      labels: { '[REDACTED_EMAIL]': ['[REDACTED_IP]'] },
    });
  });
});
