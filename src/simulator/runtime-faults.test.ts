import { describe, expect, it } from 'vitest';
import type { AnswerPlan } from './faults.ts';
import { activeMode, type RuntimeFaults, runtimePlan } from './runtime-faults.ts';

const never = () => 1;

describe('activeMode', () => {
  it.each<[string, RuntimeFaults, number, string]>([
    ['no faults is ok', {}, 0, 'ok'],
    ['an explicit mode applies', { mode: 'reset' }, 0, 'reset'],
    ['a window alone means outage', { outageForMs: 100 }, 50, 'outage'],
    [
      'a window alone with a status means server_error',
      { outageForMs: 100, status: 500 },
      50,
      'server_error',
    ],
    ['the window ends', { mode: 'silence', outageForMs: 100 }, 100, 'ok'],
    ['flapping starts failing', { flapPeriodMs: 100 }, 99, 'outage'],
    ['flapping heals in the second period', { flapPeriodMs: 100 }, 150, 'ok'],
    ['flapping fails again in the third', { flapPeriodMs: 100 }, 250, 'outage'],
    ['an error rate spares requests whose draw is not below it', { errorRate: 0.5 }, 0, 'ok'],
  ])('%s', (_name, faults, elapsed, expected) => {
    expect(activeMode(faults, 1_000, 1_000 + elapsed, never)).toBe(expected);
  });

  it('fails requests whose draw falls below the error rate', () => {
    expect(activeMode({ mode: 'rate_limit', errorRate: 0.3 }, 0, 0, () => 0.29)).toBe('rate_limit');
    expect(activeMode({ mode: 'rate_limit', errorRate: 0.3 }, 0, 0, () => 0.3)).toBe('ok');
  });
});

describe('runtimePlan', () => {
  const base: AnswerPlan = { ttftMs: 20, tokensPerSecond: 200, ending: 'done' };

  it('slow mode without timings makes the first token take two seconds', () => {
    expect(runtimePlan({ mode: 'slow' }, base, 'slow')).toMatchObject({ kind: 'answer', ttftMs: 2000 });
  });

  it('keeps runtime timings on healthy requests', () => {
    expect(runtimePlan({ ttftMs: 5, tokensPerSecond: 10 }, base, 'ok')).toEqual({
      kind: 'answer',
      ttftMs: 5,
      tokensPerSecond: 10,
      ending: 'done',
    });
  });

  it('turns outage into a 502 (down, not overloaded) and rate_limit into a 429 with Retry-After', () => {
    const outage = runtimePlan({ mode: 'outage' }, base, 'outage');
    expect(outage.kind === 'error' && outage.error.status).toBe(502);
    expect(outage.kind === 'error' && outage.error.message).toMatch(/outage/);
    const limited = runtimePlan({ mode: 'rate_limit', retryAfterSeconds: 3 }, base, 'rate_limit');
    expect(limited.kind === 'error' && limited.error.headers).toEqual({ 'retry-after': '3' });
  });
});
