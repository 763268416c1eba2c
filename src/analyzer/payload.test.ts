import { describe, expect, it } from 'vitest';
import { idempotencyKey, promqlOf, webhookSchema } from './payload.ts';

const alert = (fingerprint: string, startsAt = '2026-11-23T10:00:00Z') => ({
  status: 'firing',
  labels: { alertname: 'X' },
  annotations: {},
  startsAt,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://p:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
  fingerprint,
});
const group = (alerts: ReturnType<typeof alert>[], extra: Record<string, unknown> = {}) =>
  webhookSchema.parse({ version: '4', groupKey: 'g', status: 'firing', receiver: 'r', alerts, ...extra });

describe('idempotency key', () => {
  it('ignores alert order, receiver and unknown fields (retries and HA peers)', () => {
    const a = group([alert('a'), alert('b')]);
    const b = group([alert('b'), alert('a')], { receiver: 'peer', notification_reason: 'x' });
    expect(idempotencyKey(a)).toBe(idempotencyKey(b));
  });

  it('changes with status, membership or startsAt', () => {
    const base = idempotencyKey(group([alert('a')]));
    expect(idempotencyKey(group([alert('a')], { status: 'resolved' }))).not.toBe(base);
    expect(idempotencyKey(group([alert('a'), alert('c')]))).not.toBe(base);
    expect(idempotencyKey(group([alert('a', '2026-11-23T11:00:00Z')]))).not.toBe(base);
  });
});

it('recovers the PromQL from generatorURL', () => {
  expect(promqlOf(group([alert('a')]).alerts[0] as never)).toBe('up == 0');
});
