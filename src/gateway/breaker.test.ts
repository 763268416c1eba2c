import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { createBreaker, type Transition } from './breaker.ts';

function setup(overrides: Record<string, unknown> = {}) {
  const config = parseConfig({
    store: { path: ':memory:' },
    circuitBreaker: {
      failureThreshold: 3,
      recoverySeconds: 30,
      halfOpenMaxRequests: 1,
      minimumRequests: 10,
      ...overrides,
    },
  });
  let clock = 1_000_000;
  const transitions: Transition[] = [];
  const breaker = createBreaker(config.circuitBreaker, {
    now: () => clock,
    onTransition: (t) => transitions.push(t),
  });
  const fail = () => breaker.acquire()?.failure();
  const succeed = () => breaker.acquire()?.success();
  return { breaker, transitions, fail, succeed, advance: (ms: number) => (clock += ms) };
}

describe('circuit breaker', () => {
  it('opens after 3 consecutive failures and refuses while open', () => {
    const { breaker, transitions, fail } = setup();
    fail();
    fail();
    expect(breaker.state()).toBe('closed');
    fail();
    expect(breaker.state()).toBe('open');
    expect(breaker.acquire()).toBeUndefined();
    expect(transitions).toEqual([
      { from: 'closed', to: 'open', reason: '3 consecutive failures', openedAt: 1_000_000 },
    ]);
  });

  it('a success resets the consecutive count', () => {
    const { breaker, fail, succeed } = setup();
    fail();
    fail();
    succeed();
    fail();
    fail();
    expect(breaker.state()).toBe('closed');
  });

  it('turns half-open after recoverySeconds from the injected clock, with no timer', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(29_999);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(1);
    advance(1);
    expect(breaker.state()).toBe('half_open');
  });

  it('admits halfOpenMaxRequests trials; a successful trial closes it', () => {
    const { breaker, transitions, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    const trial = breaker.acquire();
    expect(trial).toBeDefined();
    expect(breaker.acquire()).toBeUndefined();
    trial?.success();
    expect(breaker.state()).toBe('closed');
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed trial re-opens it for another recovery period', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    breaker.acquire()?.failure();
    expect(breaker.state()).toBe('open');
    advance(29_000);
    expect(breaker.state()).toBe('open');
    advance(1_000);
    expect(breaker.state()).toBe('half_open');
  });

  it('a neutral trial outcome frees the trial slot without deciding', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    breaker.acquire()?.neutral();
    expect(breaker.state()).toBe('half_open');
    expect(breaker.acquire()).toBeDefined();
  });

  it('needs every one of halfOpenMaxRequests trials to succeed', () => {
    const { breaker, fail, advance } = setup({ halfOpenMaxRequests: 2 });
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    const first = breaker.acquire();
    const second = breaker.acquire();
    expect(breaker.acquire()).toBeUndefined();
    first?.success();
    expect(breaker.state()).toBe('half_open');
    second?.success();
    expect(breaker.state()).toBe('closed');
  });

  it('opens on the failure ratio over the window once minimumRequests is reached', () => {
    const { breaker, transitions, fail, succeed } = setup({ failureThreshold: 100, failureRatio: 0.5 });
    // Alternating keeps the consecutive count at 1; the ratio (0.5) trips at the 10th request.
    for (let i = 0; i < 4; i += 1) {
      succeed();
      fail();
    }
    expect(breaker.state()).toBe('closed');
    succeed();
    fail();
    expect(breaker.state()).toBe('open');
    expect(transitions[0]?.reason).toMatch(/failure ratio 0.50 over 10 requests/);
  });

  it('forgets failures that slid out of the window', () => {
    const { breaker, fail, succeed, advance } = setup({
      failureThreshold: 100,
      failureRatio: 0.5,
      windowSeconds: 10,
    });
    for (let i = 0; i < 8; i += 1) fail();
    advance(11_000);
    for (let i = 0; i < 9; i += 1) succeed();
    fail();
    expect(breaker.state()).toBe('closed');
  });

  it('ignores the late outcome of a permit granted before a transition', () => {
    const { breaker, fail, advance } = setup();
    const late = breaker.acquire();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    expect(breaker.state()).toBe('half_open');
    late?.failure();
    expect(breaker.state()).toBe('half_open');
  });

  it('settles a half-open breaker from a synthetic probe', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    breaker.settle(true, 'health check passed');
    expect(breaker.state()).toBe('closed');
  });
});

describe('circuit breaker: verdicts from other replicas', () => {
  const peerOpen = (openedAt: number) =>
    ({ to: 'open', reason: '3 consecutive failures', openedAt, peer: 'replica-b' }) as const;
  const peerClosed = (openedAt: number) =>
    ({ to: 'closed', reason: 'health check passed', openedAt, peer: 'replica-b' }) as const;

  it("opens on a peer's verdict, recovering from the peer's instant, and says whose it was", () => {
    const { breaker, transitions, advance } = setup();
    breaker.adopt(peerOpen(1_000_000 - 10_000));
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(20_000);
    expect(transitions[0]).toEqual({
      from: 'closed',
      to: 'open',
      reason: 'opened on replica-b: 3 consecutive failures',
      openedAt: 990_000,
      peer: 'replica-b',
    });
    advance(20_000);
    expect(breaker.state()).toBe('half_open');
  });

  it('keeps the later start when both opened on their own evidence', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    breaker.adopt(peerOpen(1_000_000 + 500));
    expect(breaker.openedAt()).toBe(1_000_500);
    breaker.adopt(peerOpen(1_000_000 - 500));
    expect(breaker.openedAt()).toBe(1_000_500);
    advance(30_000);
    expect(breaker.state()).toBe('open');
  });

  it("closes when the peer's trial closed this episode, and ignores a close of an older one", () => {
    const { breaker, transitions, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    breaker.adopt(peerClosed(1_000_000 - 1));
    expect(breaker.state()).toBe('open');
    advance(30_000);
    expect(breaker.state()).toBe('half_open');
    breaker.adopt(peerClosed(1_000_000));
    expect(breaker.state()).toBe('closed');
    expect(transitions.at(-1)).toMatchObject({ from: 'half_open', to: 'closed', peer: 'replica-b' });
  });

  it('reopens when the trial failed elsewhere, and ignores an open older than its last close', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(30_000);
    expect(breaker.state()).toBe('half_open');
    breaker.adopt(peerOpen(1_000_000));
    expect(breaker.state()).toBe('half_open');
    breaker.adopt(peerOpen(1_030_000));
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(30_000);
    advance(30_000);
    breaker.acquire()?.success();
    expect(breaker.state()).toBe('closed');
    breaker.adopt(peerOpen(1_030_000));
    expect(breaker.state()).toBe('closed');
  });
});
