import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/analyzer/categories.ts';
import { type Message, type NotifierConfig, send } from '../../src/analyzer/notify/index.ts';
import { startOpsgenie } from '../fakes/opsgenie.ts';
import { startPagerDuty } from '../fakes/pagerduty.ts';
import { startTeams } from '../fakes/teams.ts';

/**
 * PagerDuty, Opsgenie and Teams on their own terms: the incident an explanation lands on, what closes it,
 * and each receiver's size limits. The fakes validate every request as the real services do, so an event
 * or card they refuse fails here.
 */
let pagerduty: Awaited<ReturnType<typeof startPagerDuty>>;
let opsgenie: Awaited<ReturnType<typeof startOpsgenie>>;
let teams: Awaited<ReturnType<typeof startTeams>>;
beforeAll(async () => {
  [pagerduty, opsgenie, teams] = await Promise.all([startPagerDuty(), startOpsgenie(), startTeams()]);
});
afterAll(async () => {
  await Promise.all([pagerduty, opsgenie, teams].map((fake) => fake.close()));
});

const explanation: Explanation = {
  severity: 'critical',
  category: 'provider_outage',
  summary: 'openai is failing',
  probableCause: 'The provider answers 503 in every region.',
  evidence: ['error_type="server_error" at 3/s'],
  actions: ['Fail traffic over to the backup provider'],
  confidence: 0.8,
  source: 'rules',
};
let groups = 0;
/** A fresh Alertmanager group key per test, shaped as Alertmanager writes them. */
const newGroupKey = () => `{}/{}:{alertname="InferwatchUpstreamServerErrors", n="${++groups}"}`;
const messageFor = (groupKey: string, overrides: Partial<Message> = {}): Message => ({
  analysisId: 'a1',
  deliveryId: `d${groups}`,
  kind: 'alert',
  groupKey,
  alertname: 'InferwatchUpstreamServerErrors',
  explanation,
  alerts: [{ status: 'firing', labels: { alertname: 'InferwatchUpstreamServerErrors' }, summary: 's' }],
  alertCount: 1,
  externalURL: 'http://alertmanager:9093',
  link: 'http://127.0.0.1:8080/api/analyses/a1',
  ...overrides,
});
const deps = () => ({ fetch, signal: AbortSignal.timeout(3_000), now: Date.now, write: () => {} });
/** What Alertmanager's own PagerDuty and Opsgenie integrations use as dedup key / alias. */
const alertmanagerHash = (groupKey: string) => createHash('sha256').update(groupKey).digest('hex');

describe('pagerduty notifier (Events API v2)', () => {
  const config = (): NotifierConfig => ({
    type: 'pagerduty',
    routingKey: 'k'.repeat(32),
    url: pagerduty.url,
    source: 'inferwatch',
  });

  it("lands the explanation on the incident Alertmanager's page opened, then resolves it", async () => {
    const groupKey = newGroupKey();
    const dedupKey = alertmanagerHash(groupKey);
    // The page, as Alertmanager's PagerDuty integration sends it.
    const page = await fetch(pagerduty.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: 'k'.repeat(32),
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: {
          summary: '[FIRING:1] InferwatchUpstreamServerErrors',
          source: 'alertmanager',
          severity: 'critical',
        },
      }),
    });
    expect(page.status).toBe(202);
    expect(await send(config(), messageFor(groupKey), deps())).toEqual({ ok: true });
    expect(await send(config(), messageFor(groupKey, { kind: 'reminder' }), deps())).toEqual({ ok: true });
    const incident = pagerduty.incidents.filter((i) => i.dedupKey === dedupKey);
    expect(incident).toHaveLength(1);
    expect(incident[0]?.events.map((e) => e.payload?.source)).toEqual([
      'alertmanager',
      'inferwatch',
      'inferwatch',
    ]);
    expect(incident[0]?.events[1]?.payload?.custom_details).toMatchObject({
      probable_cause: explanation.probableCause,
      evidence: explanation.evidence,
      actions: explanation.actions,
    });
    expect(await send(config(), messageFor(groupKey, { kind: 'resolved' }), deps())).toEqual({ ok: true });
    expect(incident[0]?.status).toBe('resolved');
  });

  it('does not reopen an incident for a group that resolved while the explanation waited', async () => {
    const groupKey = newGroupKey();
    const before = pagerduty.received.length;
    expect(await send(config(), messageFor(groupKey, { groupResolvedLater: true }), deps())).toEqual({
      ok: true,
    });
    expect(pagerduty.received.length).toBe(before);
  });

  it('keeps a long summary within the 1024-character limit PagerDuty enforces', async () => {
    const long = { ...explanation, summary: 'x'.repeat(5_000), evidence: ['y'.repeat(50_000)] };
    expect(await send(config(), messageFor(newGroupKey(), { explanation: long }), deps())).toEqual({
      ok: true,
    });
    const event = pagerduty.accepted().at(-1);
    expect(event?.payload?.summary.length).toBeLessThanOrEqual(1024);
    expect(event?.payload?.summary).toMatch(/…\(truncated\)$/);
  });

  it('gives up at once on an event PagerDuty calls invalid (a wrong routing key)', async () => {
    const outcome = await send(
      { ...config(), routingKey: 'short' } as NotifierConfig,
      messageFor(newGroupKey()),
      deps(),
    );
    expect(outcome).toMatchObject({
      ok: false,
      retryable: false,
      reason: 'client_error',
      detail: 'HTTP 400',
    });
  });
});

describe('opsgenie notifier (Alert API)', () => {
  const config = (): NotifierConfig => ({
    type: 'opsgenie',
    apiKey: opsgenie.apiKey,
    apiURL: opsgenie.url,
    tags: ['llm'],
  });

  it("adds the explanation as a note to the alert Alertmanager's page created, and closes it on resolve", async () => {
    const groupKey = newGroupKey();
    const alias = alertmanagerHash(groupKey);
    // The page, as Alertmanager's Opsgenie integration creates it.
    const page = await fetch(`${opsgenie.url}/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `GenieKey ${opsgenie.apiKey}` },
      body: JSON.stringify({ message: '[FIRING:1] InferwatchUpstreamServerErrors', alias, priority: 'P1' }),
    });
    expect(page.status).toBe(202);
    expect(await send(config(), messageFor(groupKey), deps())).toEqual({ ok: true });
    const alerts = opsgenie.alerts.filter((a) => a.alias === alias);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'open', count: 2 });
    expect(alerts[0]?.notes[0]).toContain(explanation.probableCause);
    expect(await send(config(), messageFor(groupKey, { kind: 'reminder' }), deps())).toEqual({ ok: true });
    expect(alerts[0]?.count).toBe(2); // a reminder is a note, not another create
    expect(await send(config(), messageFor(groupKey, { kind: 'resolved' }), deps())).toEqual({ ok: true });
    expect(alerts[0]).toMatchObject({ status: 'closed' });
    expect(alerts[0]?.notes).toHaveLength(3);
    expect(opsgenie.requests.every((r) => r.processed !== 'alert not found')).toBe(true);
  });

  it('creates the alert itself when nothing paged before it, within the field limits', async () => {
    const groupKey = newGroupKey();
    const long = { ...explanation, summary: 'z'.repeat(400) };
    expect(await send(config(), messageFor(groupKey, { explanation: long }), deps())).toEqual({ ok: true });
    const alert = opsgenie.alerts.find((a) => a.alias === alertmanagerHash(groupKey));
    expect(alert?.message.length).toBeLessThanOrEqual(130);
    expect(alert).toMatchObject({ priority: 'P1', status: 'open' });
    expect(alert?.tags).toEqual(expect.arrayContaining(['llm', 'inferwatch', 'critical', 'provider_outage']));
  });

  it('only notes a group that resolved while the explanation waited (no new alert)', async () => {
    const groupKey = newGroupKey();
    await send(config(), messageFor(groupKey, { groupResolvedLater: true }), deps());
    expect(opsgenie.alerts.find((a) => a.alias === alertmanagerHash(groupKey))).toBeUndefined();
    expect(opsgenie.requests.at(-1)?.path).toMatch(/\/notes$/);
  });

  it('gives up at once when the API key is refused', async () => {
    const outcome = await send(
      { ...config(), apiKey: 'wrong' } as NotifierConfig,
      messageFor(newGroupKey()),
      deps(),
    );
    expect(outcome).toMatchObject({ ok: false, retryable: false, reason: 'auth', detail: 'HTTP 401' });
  });
});

describe('teams notifier (Workflows webhook, Adaptive Card)', () => {
  const config = (): NotifierConfig => ({ type: 'teams', webhookURL: teams.url });

  it('posts an Adaptive Card with the explanation, coloured by severity, linking the analysis', async () => {
    expect(await send(config(), messageFor(newGroupKey()), deps())).toEqual({ ok: true });
    const card = teams.cards().at(-1);
    expect(card?.version).toBe('1.4');
    expect(card?.body[0]).toMatchObject({ type: 'TextBlock', color: 'Attention' });
    expect(card?.body.map((block) => block.text ?? '').join('\n')).toContain(explanation.probableCause);
    expect(card?.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the analysis', url: 'http://127.0.0.1:8080/api/analyses/a1' },
    ]);
    await send(config(), messageFor(newGroupKey(), { kind: 'resolved' }), deps());
    expect(teams.cards().at(-1)?.body[0]).toMatchObject({ color: 'Good' });
  });

  it("stays under Teams' 28 KB message limit whatever the explanation's size", async () => {
    const huge = {
      ...explanation,
      evidence: Array.from({ length: 30 }, () => 'é'.repeat(3_000)),
      actions: Array.from({ length: 30 }, () => 'a'.repeat(3_000)),
    };
    const alerts = Array.from({ length: 20 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: `A${i}` },
      summary: 's'.repeat(2_000),
    }));
    expect(await send(config(), messageFor(newGroupKey(), { explanation: huge, alerts }), deps())).toEqual({
      ok: true,
    });
    expect(teams.received.at(-1)?.bytes).toBeLessThanOrEqual(28 * 1024);
  });
});
