import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { evaluate, type Observation, parseConditions } from './conditions.ts';

const observation: Observation = {
  status: 200,
  responseTimeMs: 120,
  body: JSON.stringify({ status: 'ok', data: [{ id: 7, tags: ['a', 'b'] }], version: '2.1.0' }),
  headers: { 'content-type': 'application/json; charset=utf-8' },
  certificateExpiresInMs: 5 * 86_400_000,
};

const holds = (source: string, obs = observation) => {
  const parsed = parseConditions(source);
  if (!parsed.ok) throw new Error(parsed.error);
  return evaluate(parsed.conditions, obs).ok;
};

describe('condition language', () => {
  it.each([
    ['[STATUS] == 200', true],
    ['[STATUS] != 200', false],
    ['[STATUS] >= 200 && [STATUS] < 300', true],
    ['[RESPONSE_TIME] < 300', true],
    ['[RESPONSE_TIME] < 100ms', false],
    ['[RESPONSE_TIME] <= 1s', true],
    ['[BODY].status == ok', true],
    ['[BODY].status == "ok"', true],
    ['[BODY].data[0].id == 7', true],
    ['[BODY].data[0].tags contains b', true],
    ['[BODY].data[1].id == 7', false],
    ['[BODY].version matches ^2\\.\\d+', true],
    ['[BODY] contains "status"', true],
    ['[HEADER].content-type contains json', true],
    ['[HEADER].Content-Type contains json', true],
    ['[HEADER].x-missing == anything', false],
    ['[CERTIFICATE_EXPIRATION] > 72h', true],
    ['[CERTIFICATE_EXPIRATION] > 7d', false],
  ])('%s → %s', (source, expected) => {
    expect(holds(source)).toBe(expected);
  });

  it('treats a missing certificate (plain HTTP) as failing an expiry condition', () => {
    expect(
      holds('[CERTIFICATE_EXPIRATION] > 1d', { ...observation, certificateExpiresInMs: undefined }),
    ).toBe(false);
  });

  it('flags a JSON path on a body that is not JSON as malformed', () => {
    const parsed = parseConditions('[BODY].status == ok');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(evaluate(parsed.conditions, { ...observation, body: '<html>' })).toMatchObject({
      ok: false,
      malformed: true,
    });
  });

  it.each([
    ['[STATS] == 200', 'unknown placeholder [STATS] at column 1'],
    ['STATUS == 200', 'expected a placeholder'],
    ['[STATUS] = 200', 'expected an operator'],
    ['[STATUS] ==', 'missing value'],
    ['[STATUS] =< 200', 'expected an operator'],
    ['[STATUS] <== 200', 'unknown operator "<=="'],
    ['[RESPONSE_TIME] < fast', '"<" needs a number or duration'],
    ['[BODY].version matches (', 'invalid regular expression'],
    ['[HEADER] contains json', '[HEADER] needs one header name'],
    ['[STATUS] == 200 && [BOD] == x', 'unknown placeholder [BOD] at column 20'],
  ])('rejects %s with "%s"', (source, message) => {
    const parsed = parseConditions(source);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('fails config loading with the key path of a bad condition', () => {
    expect(() =>
      parseConfig(
        {
          prober: {
            targets: [{ name: 'x', http: { url: 'http://127.0.0.1/', conditions: ['[STATUS] === 200'] } }],
          },
        },
        'test.yaml',
      ),
    ).toThrow(/prober\.targets\.0\.http\.conditions\.0: unknown operator "===" at column \d+/);
  });
});
