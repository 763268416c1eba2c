import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/analyzer/categories.ts';
import { type Message, type NotifierConfig, send } from '../../src/analyzer/notify/index.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { startSmtp } from '../fakes/analyzer-smtp.ts';

/**
 * One contract for all network notifiers, so retry means one thing. Delivered → ok; a transient failure →
 * retryable; a permanent one → not retryable; nobody listening → retryable.
 */
let receivers: Awaited<ReturnType<typeof startReceivers>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
beforeAll(async () => {
  receivers = await startReceivers();
  smtp = await startSmtp();
});
afterAll(async () => {
  await receivers.close();
  await smtp.close();
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
const deps = () => ({ fetch, signal: AbortSignal.timeout(3_000), now: Date.now, write: () => {} });

interface Case {
  config: () => NotifierConfig;
  unreachable: NotifierConfig;
  failTransient: () => void;
  failPermanent: () => void;
  count: () => number;
}
const http = (path: string, make: (url: string) => NotifierConfig): Case => ({
  config: () => make(`${receivers.url}${path}`),
  unreachable: make('http://127.0.0.1:9/x'),
  failTransient: () => receivers.failNext(1, 500),
  failPermanent: () => receivers.failNext(1, 400),
  count: () => receivers.delivered(path).length,
});
const cases: Record<string, Case> = {
  slack: http('/slack', (webhookURL) => ({ type: 'slack', webhookURL })),
  discord: http('/discord', (webhookURL) => ({ type: 'discord', webhookURL })),
  webhook: http('/hook', (url) => ({ type: 'webhook', url, secret: 's' })),
  email: {
    config: () => ({
      type: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      from: 'a@example.com',
      to: ['b@example.com'],
    }),
    unreachable: {
      type: 'email',
      host: '127.0.0.1',
      port: 9,
      secure: false,
      from: 'a@example.com',
      to: ['b@example.com'],
    },
    failTransient: () => smtp.failNext(1, '451 4.3.0 later'),
    failPermanent: () => smtp.failNext(1, '554 5.7.1 rejected'),
    count: () => smtp.mails.length,
  },
};

describe.each(Object.entries(cases))('%s notifier contract', (_name, c) => {
  it('delivers', async () => {
    const before = c.count();
    expect(await send(c.config(), message, deps())).toEqual({ ok: true });
    expect(c.count()).toBe(before + 1);
  });
  it('says a transient failure is retryable', async () => {
    c.failTransient();
    expect(await send(c.config(), message, deps())).toMatchObject({ ok: false, retryable: true });
  });
  it('says a permanent failure is not retryable', async () => {
    c.failPermanent();
    expect(await send(c.config(), message, deps())).toMatchObject({ ok: false, retryable: false });
  });
  it('says an unreachable receiver is retryable', async () => {
    expect(await send(c.unreachable, message, deps())).toMatchObject({ ok: false, retryable: true });
  });
});

it('console notifier writes the plain-text rendering', async () => {
  const lines: string[] = [];
  expect(await send({ type: 'console' }, message, { ...deps(), write: (line) => lines.push(line) })).toEqual({
    ok: true,
  });
  expect(lines.join('')).toMatch(/\[CRITICAL\] openai failing[\s\S]*rule-based/);
});
