import { describe, expect, it } from 'vitest';
import { initialState, nextState, type ProbeState, type StateCounters } from './state.ts';

const thresholds = { failureThreshold: 3, recoveryThreshold: 2 };
const ok = { success: true, slow: false };
const slow = { success: true, slow: true };
const fail = { success: false, slow: false };

function walk(verdicts: (typeof ok)[]): ProbeState[] {
  let counters: StateCounters = initialState();
  return verdicts.map((verdict) => {
    counters = nextState(counters, verdict, thresholds);
    return counters.state;
  });
}

describe('anti-flap state', () => {
  it.each([
    ['a first success is up', [ok], ['up']],
    ['goes down only after 3 consecutive failures', [ok, fail, fail, fail], ['up', 'up', 'up', 'down']],
    [
      'a success in between resets the failure count',
      [ok, fail, fail, ok, fail, fail],
      ['up', 'up', 'up', 'up', 'up', 'up'],
    ],
    [
      'stays down until 2 consecutive successes',
      [fail, fail, fail, ok, fail, ok, ok],
      ['unknown', 'unknown', 'down', 'down', 'down', 'down', 'up'],
    ],
    ['a slow success is degraded, a fast one up again', [ok, slow, ok], ['up', 'degraded', 'up']],
    [
      'recovers into degraded when the recovering successes are slow',
      [fail, fail, fail, slow, slow],
      ['unknown', 'unknown', 'down', 'down', 'degraded'],
    ],
  ])('%s', (_title, verdicts, states) => {
    expect(walk(verdicts)).toEqual(states);
  });
});
