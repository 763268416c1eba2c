import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import type { Explanation } from '../../src/analyzer/categories.ts';
import { type Message, type NotifierConfig, send } from '../../src/analyzer/notify/index.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { startSmtp } from '../fakes/analyzer-smtp.ts';
import { startOpsgenie } from '../fakes/opsgenie.ts';
import { startPagerDuty } from '../fakes/pagerduty.ts';
import { startTeams } from '../fakes/teams.ts';

/**
 * One contract, every network notifier, each against a fake speaking its receiver's real wire format:
 * delivered → ok; a transient failure (5xx) → retryable; 429 → retryable after the receiver's
 * Retry-After; no answer → retryable once the send timeout fires; a permanent 4xx → not retryable;
 * nobody listening → retryable.
 */
let receivers: Awaited<ReturnType<typeof startReceivers>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let pagerduty: Awaited<ReturnType<typeof startPagerDuty>>;
let opsgenie: Awaited<ReturnType<typeof startOpsgenie>>;
let teams: Awaited<ReturnType<typeof startTeams>>;
beforeAll(async () => {
  [receivers, smtp, pagerduty, opsgenie, teams] = await Promise.all([
    startReceivers(),
    startSmtp(),
    startPagerDuty(),
    startOpsgenie(),
    startTeams(),
  ]);
});
afterAll(async () => {
  await Promise.all([receivers, smtp, pagerduty, opsgenie, teams].map((fake) => fake.close()));
});

const explanation: Explanation = {
  severity: 'critical',
  category: 'provider_outage',
  summary: 'openai failing',
  probableCause: 'cause',
  evidence: ['error_type="server_error" at 3/s'],
  actions: ['check'],
  confidence: 0.7,
  source: 'rules',
};
const message: Message = {
  analysisId: 'a1',
  deliveryId: 'd1',
  kind: 'alert',
  groupKey: 'g',
  alertname: 'InferwatchUpstreamServerErrors',
  explanation,
  alerts: [{ status: 'firing', labels: { alertname: 'InferwatchUpstreamServerErrors' }, summary: 's' }],
  alertCount: 1,
  externalURL: '',
  link: 'http://127.0.0.1/api/analyses/a1',
};
const deps = (timeoutMs = 3_000) => ({
  fetch,
  signal: AbortSignal.timeout(timeoutMs),
  now: Date.now,
  write: () => {},
});

type HttpFault = 'transient' | 'throttled' | 'hang' | 'permanent';
interface Case {
  config: () => NotifierConfig;
  /** The channel's config pointing at a loopback port nothing listens on. */
  unreachable: (port: number) => NotifierConfig;
  fail: (fault: HttpFault) => void;
  /** Faults the channel can produce (SMTP has no 429 or Retry-After). */
  faults: readonly HttpFault[];
  count: () => number;
}
const httpFaults = ['transient', 'throttled', 'hang', 'permanent'] as const;
type FailNext = (count: number, fault: 400 | 422 | 429 | 500 | 'hang', retryAfter?: string) => void;
/** How each fake fails on demand: 500, 429 with Retry-After 7 s, no answer, and its own permanent 4xx. */
const failWith = (failNext: () => FailNext, permanent: 400 | 422) => (fault: HttpFault) => {
  const next = failNext();
  if (fault === 'transient') next(1, 500);
  if (fault === 'throttled') next(1, 429, '7');
  if (fault === 'hang') next(1, 'hang');
  if (fault === 'permanent') next(1, permanent);
};
const http = (path: string, make: (url: string) => NotifierConfig): Case => ({
  config: () => make(`${receivers.url}${path}`),
  unreachable: (port) => make(`http://127.0.0.1:${port}/x`),
  fail: failWith(() => receivers.failNext as FailNext, 400),
  faults: httpFaults,
  count: () => receivers.delivered(path).length,
});
const routingKey = 'r'.repeat(32);
const cases: Record<string, Case> = {
  slack: http('/slack', (webhookURL) => ({ type: 'slack', webhookURL })),
  discord: http('/discord', (webhookURL) => ({ type: 'discord', webhookURL })),
  webhook: http('/hook', (url) => ({ type: 'webhook', url, secret: 's' })),
  pagerduty: {
    config: () => ({ type: 'pagerduty', routingKey, url: pagerduty.url, source: 'inferwatch' }),
    unreachable: (port) => ({
      type: 'pagerduty',
      routingKey,
      url: `http://127.0.0.1:${port}/v2/enqueue`,
      source: 'x',
    }),
    fail: failWith(() => pagerduty.failNext, 400),
    faults: httpFaults,
    count: () => pagerduty.accepted().length,
  },
  opsgenie: {
    config: () => ({ type: 'opsgenie', apiKey: opsgenie.apiKey, apiURL: opsgenie.url, tags: [] }),
    unreachable: (port) => ({ type: 'opsgenie', apiKey: 'k', apiURL: `http://127.0.0.1:${port}`, tags: [] }),
    fail: failWith(() => opsgenie.failNext, 422),
    faults: httpFaults,
    count: () => opsgenie.accepted().length,
  },
  teams: {
    config: () => ({ type: 'teams', webhookURL: teams.url }),
    unreachable: (port) => ({ type: 'teams', webhookURL: `http://127.0.0.1:${port}/workflows/x` }),
    fail: failWith(() => teams.failNext, 400),
    faults: httpFaults,
    count: () => teams.cards().length,
  },
  email: {
    config: () => ({
      type: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      from: 'a@example.com',
      to: ['b@example.com'],
    }),
    unreachable: (port) => ({
      type: 'email',
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'a@example.com',
      to: ['b@example.com'],
    }),
    fail: (fault) => smtp.failNext(1, fault === 'permanent' ? '554 5.7.1 rejected' : '451 4.3.0 later'),
    faults: ['transient', 'permanent'],
    count: () => smtp.mails.length,
  },
};

describe.each(Object.entries(cases))('%s notifier contract', (_name, c) => {
  // Faults the channel cannot produce get no test rather than a skipped one.
  const can = (fault: HttpFault) => (c.faults.includes(fault) ? it : () => {});
  it('delivers', async () => {
    const before = c.count();
    expect(await send(c.config(), message, deps())).toEqual({ ok: true });
    expect(c.count()).toBeGreaterThan(before);
  });
  can('transient')('says a transient failure is retryable', async () => {
    c.fail('transient');
    expect(await send(c.config(), message, deps())).toMatchObject({ ok: false, retryable: true });
  });
  can('throttled')("says a 429 is retryable after the receiver's Retry-After", async () => {
    c.fail('throttled');
    expect(await send(c.config(), message, deps())).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 7_000,
    });
  });
  can('hang')('says a receiver that never answers is retryable once the timeout fires', async () => {
    c.fail('hang');
    expect(await send(c.config(), message, deps(300))).toMatchObject({
      ok: false,
      retryable: true,
      reason: 'timeout_total',
    });
  });
  can('permanent')('says a permanent failure is not retryable', async () => {
    c.fail('permanent');
    expect(await send(c.config(), message, deps())).toMatchObject({ ok: false, retryable: false });
  });
  it('says an unreachable receiver is retryable', async () => {
    // A port taken free and left closed: the connection is refused, as by a receiver that is down.
    expect(await send(c.unreachable(await freePort()), message, deps())).toMatchObject({
      ok: false,
      retryable: true,
      reason: 'connect',
    });
  });
});

it('console notifier writes the plain-text rendering', async () => {
  const lines: string[] = [];
  expect(await send({ type: 'console' }, message, { ...deps(), write: (line) => lines.push(line) })).toEqual({
    ok: true,
  });
  expect(lines.join('')).toMatch(/\[CRITICAL\] openai failing[\s\S]*rule-based/);
});
