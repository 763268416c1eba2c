import { describe, expect, it } from 'vitest';
import { failureTypes } from '../providers/index.ts';
import { decisions } from './decisions.ts';

describe('decision table', () => {
  it.each([
    // class, retry same target, fail over, counts against the breaker
    ['rate_limited', true, true, true],
    ['server_error', true, true, true],
    ['model_overloaded', true, true, true],
    ['timeout_connect', true, true, true],
    ['timeout_first_token', false, true, true],
    ['timeout_idle', false, true, true],
    ['connection_reset', true, true, true],
    ['stream_cut', true, true, true],
    ['malformed_response', false, true, true],
    ['context_length', false, true, false],
    ['content_filter', false, false, false],
    ['auth', false, true, true],
    ['client_error', false, false, false],
  ] as const)('%s → retry %s, failover %s, breaker %s', (type, retry, failover, counts) => {
    expect(decisions[type]).toEqual({ retry, failover, countsAgainstTarget: counts });
  });

  it('never retries or fails over a request the client got wrong', () => {
    for (const type of ['client_error', 'content_filter'] as const) {
      expect(decisions[type].retry || decisions[type].failover).toBe(false);
    }
  });

  it('never resends a context-length failure to the same target', () => {
    expect(decisions.context_length.retry).toBe(false);
  });

  it('has a row for every failure class', () => {
    expect(Object.keys(decisions).sort()).toEqual([...failureTypes].sort());
  });
});
