import { afterEach, describe, expect, it } from 'vitest';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { alertGroup, startAnalyzer } from './harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(analyzer: Record<string, unknown> = {}, now?: () => number) {
  const receivers = await startReceivers();
  cleanups.push(receivers.close);
  const analyzerRuntime = await startAnalyzer({
    analyzer: { notify: [{ type: 'webhook', url: `${receivers.url}/hook` }], ...analyzer },
    ...(now ? { now } : {}),
  });
  cleanups.push(analyzerRuntime.stop);
  return { receivers, ...analyzerRuntime };
}

describe('Alertmanager webhook', () => {
  it('queues a valid group with 202 and delivers one rule-based notification', async () => {
    const { post, receivers, analyses } = await setup();
    const response = await post(alertGroup({ labels: { error_type: 'rate_limited' } }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'queued' });
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    const body = receivers.delivered('/hook')[0]?.body as { category: string; source: string; kind: string };
    expect(body).toMatchObject({ category: 'provider_quota', source: 'rules', kind: 'alert' });
    const [analysis] = await analyses();
    expect(analysis).toMatchObject({ category: 'provider_quota', source: 'rules', status: 'firing' });
  });

  it('rejects malformed payloads with 400 naming the field, and tolerates unknown fields', async () => {
    const { post } = await setup();
    const bad = await post({ ...alertGroup(), alerts: [{ labels: {} }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /alerts\.0\.(status|startsAt|fingerprint)/,
    );
    expect((await post('{not json')).status).toBe(400);
    const extra = await post({
      ...alertGroup(),
      routeLabels: { team: 'a' },
      orgId: 1,
      alerts: alertGroup().alerts.map((a) => ({ ...a, values: { A: 1 } })),
    });
    expect(extra.status).toBe(202);
  });

  it('requires the webhook token as bearer or basic auth when configured', async () => {
    const { post } = await setup({ webhookToken: 's3cret-token' });
    expect((await post(alertGroup())).status).toBe(401);
    expect((await post(alertGroup(), { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(alertGroup(), { authorization: 'Bearer s3cret-token' })).status).toBe(202);
    const basic = `Basic ${Buffer.from('alertmanager:s3cret-token').toString('base64')}`;
    expect((await post(alertGroup({ groupKey: 'other' }), { authorization: basic })).status).toBe(202);
  });

  it('refuses bodies over analyzer.maxBodyBytes with 413', async () => {
    const { post } = await setup({ maxBodyBytes: 2_000 });
    expect((await post(alertGroup({ alerts: 50 }))).status).toBe(413);
  });

  it('processes retries and HA duplicates of the same group state once', async () => {
    const { post, receivers, analyses } = await setup();
    const payload = alertGroup({ alerts: 3 });
    const reordered = { ...payload, alerts: [...payload.alerts].reverse(), receiver: 'peer-2' };
    const statuses = await Promise.all(
      [post(payload), post(payload), post(reordered)].map(async (r) => (await r).status),
    );
    expect(statuses.sort()).toEqual([200, 200, 202]);
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(await analyses()).toHaveLength(1);
  });

  it('reuses the previous analysis for a repeat_interval reminder after the dedupe window', async () => {
    let clock = Date.parse('2026-11-23T10:00:00Z');
    const { post, receivers, analyses } = await setup({ dedupeWindowSeconds: 60 }, () => clock);
    expect((await post(alertGroup())).status).toBe(202);
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    clock += 4 * 3_600_000;
    const repeat = await post({ ...alertGroup(), notification_reason: 'repeat interval elapsed' });
    expect(await repeat.json()).toMatchObject({ status: 'repeat' });
    await expect.poll(() => receivers.delivered('/hook').length).toBe(2);
    const list = await analyses();
    const original = list.find((a) => a.repeatOf === null);
    expect(list.find((a) => a.repeatOf !== null)?.repeatOf).toBe(original?.id);
    expect((receivers.delivered('/hook')[1]?.body as { kind?: string } | undefined)?.kind).toBe('reminder');
  });

  it('sends a resolution that links the firing notification', async () => {
    const { post, receivers } = await setup();
    await post(alertGroup());
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    const firing = receivers.delivered('/hook')[0]?.body as { analysisId: string };
    await post(alertGroup({ status: 'resolved' }));
    await expect.poll(() => receivers.delivered('/hook').length).toBe(2);
    const resolved = receivers.delivered('/hook')[1]?.body as {
      kind: string;
      severity: string;
      followsUp: { analysisId: string };
    };
    expect(resolved).toMatchObject({
      kind: 'resolved',
      severity: 'info',
      followsUp: { analysisId: firing.analysisId },
    });
  });

  it('exposes one analysis with its notifications at GET /api/analyses/:id', async () => {
    const { post, receivers, analyses, url } = await setup();
    await post(alertGroup());
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    const [summary] = await analyses();
    await expect
      .poll(async () =>
        (
          (await (await fetch(`${url}/api/analyses/${summary?.id}`)).json()) as {
            notifications: { state: string }[];
          }
        ).notifications.map((n) => n.state),
      )
      .toEqual(['delivered']);
    expect((await fetch(`${url}/api/analyses/nope`)).status).toBe(404);
  });
});
