import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookSchema } from '../../src/analyzer/payload.ts';
import { createAnalyzerStore } from '../../src/analyzer/store.ts';
import { openDatabase } from '../../src/store/index.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { startSmtp } from '../fakes/analyzer-smtp.ts';
import { alertGroup, startAnalyzer } from './harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function receivers() {
  const r = await startReceivers();
  cleanups.push(r.close);
  return r;
}
async function analyzer(options: Parameters<typeof startAnalyzer>[0]) {
  const a = await startAnalyzer(options);
  cleanups.push(a.stop);
  return a;
}

/** The outbox states of the (single) analysis, read through the API. */
async function states(a: Awaited<ReturnType<typeof startAnalyzer>>) {
  const [analysis] = await a.analyses();
  const detail = (await (await fetch(`${a.url}/api/analyses/${analysis?.id}`)).json()) as {
    notifications: { state: string }[];
  };
  return detail.notifications.map((notification) => notification.state);
}

describe('notification outbox', () => {
  it('retries 500, 429 and timeouts with backoff until delivered, once', async () => {
    const r = await receivers();
    r.failNext(1, 500);
    r.failNext(1, 429);
    r.failNext(1, 'hang');
    const a = await analyzer({
      analyzer: { notify: [{ type: 'webhook', url: `${r.url}/hook` }], outbox: { sendTimeoutMs: 200 } },
    });
    const events: string[] = [];
    a.runtime.context.bus.subscribe('notification', (event) => events.push(event.outcome));
    await a.post(alertGroup());
    await expect.poll(() => r.delivered('/hook').length, { timeout: 5_000 }).toBe(1);
    expect(r.received.map((x) => x.status)).toEqual([500, 429, 0, 200]);
    // Every attempt carries the same delivery id, so a receiver that saw a "failed" one can deduplicate.
    expect(new Set(r.received.map((x) => x.headers['x-inferwatch-delivery'])).size).toBe(1);
    await expect.poll(() => events).toEqual(['retrying', 'retrying', 'retrying', 'sent']);
  });

  it('gives up on a permanent 4xx at once and records an incident', async () => {
    const r = await receivers();
    r.failNext(1, 400);
    const a = await analyzer({ analyzer: { notify: [{ type: 'webhook', url: `${r.url}/hook` }] } });
    await a.post(alertGroup());
    await expect
      .poll(async () => (await a.runtime.context.incidents.list({ kind: 'notification_failed' })).length)
      .toBe(1);
    expect(r.received).toHaveLength(1);
  });

  it('gives up after giveUpAfterSeconds of retryable failures', async () => {
    const r = await receivers();
    r.failNext(1000, 500);
    let clock = Date.parse('2026-11-23T10:00:00Z');
    const a = await analyzer({
      now: () => clock,
      analyzer: { notify: [{ type: 'webhook', url: `${r.url}/hook` }], outbox: { giveUpAfterSeconds: 60 } },
    });
    await a.post(alertGroup());
    await expect.poll(() => r.received.length).toBeGreaterThanOrEqual(1);
    clock += 61_000;
    await expect
      .poll(async () => (await a.runtime.context.incidents.list({ kind: 'notification_failed' })).length)
      .toBe(1);
    // Failed rows are never claimed again (the claim selects pending rows only).
    expect(await states(a)).toEqual(['failed']);
  });

  it('delivers exactly once across a restart between queueing and sending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-analyzer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const storePath = join(dir, 'db.sqlite');
    const r = await receivers();
    r.failNext(3, 500);
    let clock = Date.parse('2026-11-23T10:00:00Z');
    const now = () => clock;
    const config = {
      notify: [{ type: 'webhook', url: `${r.url}/hook` }],
      outbox: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    };
    const first = await startAnalyzer({ storePath, now, analyzer: config });
    await first.post(alertGroup({ alerts: 2 }));
    await expect.poll(() => r.received.length).toBe(1); // tried once, failed, next attempt a minute away
    await first.stop();
    expect(r.delivered()).toHaveLength(0);
    // A new process on the same file a minute later: the queued row is sent once; the group is not re-analyzed
    // and Alertmanager's retry of the same group is recognized as a duplicate.
    r.clearFaults();
    clock += 61_000;
    const second = await analyzer({ storePath, now, analyzer: config });
    expect((await second.post(alertGroup({ alerts: 2 }))).status).toBe(200);
    await expect.poll(() => r.delivered('/hook').length, { timeout: 5_000 }).toBe(1);
    expect(await states(second)).toEqual(['delivered']); // marked once: never claimed again
    expect(await second.analyses()).toHaveLength(1);
  });

  it('analyses and delivers, once, a group queued by a process that died before analysing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-analyzer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const storePath = join(dir, 'db.sqlite');
    // What the dead process left behind: the 202 was sent, the job is in SQLite, nothing else happened.
    const db = openDatabase(storePath);
    createAnalyzerStore(db).accept(webhookSchema.parse(alertGroup()), Date.now(), 600_000);
    db.close();
    const r = await receivers();
    const a = await analyzer({
      storePath,
      analyzer: { notify: [{ type: 'webhook', url: `${r.url}/hook` }] },
    });
    await expect.poll(() => r.delivered('/hook').length).toBe(1);
    expect(await a.analyses()).toHaveLength(1);
    expect((await a.post(alertGroup())).status).toBe(200); // Alertmanager's retry is still a duplicate
  });

  it('signs webhook bodies with HMAC-SHA256 over timestamp.body', async () => {
    const r = await receivers();
    const a = await analyzer({
      analyzer: { notify: [{ type: 'webhook', url: `${r.url}/hook`, secret: 'hook-secret' }] },
    });
    await a.post(alertGroup());
    await expect.poll(() => r.delivered('/hook').length).toBe(1);
    const got = r.delivered('/hook')[0];
    const timestamp = String(got?.headers['x-inferwatch-timestamp']);
    const expected = `sha256=${createHmac('sha256', 'hook-secret').update(`${timestamp}.${got?.raw}`).digest('hex')}`;
    expect(got?.headers['x-inferwatch-signature']).toBe(expected);
  });

  it('routes by severity and labels, and sends Slack Block Kit and Discord embeds within their limits', async () => {
    const r = await receivers();
    const huge = 'x'.repeat(20_000);
    const a = await analyzer({
      analyzer: {
        notify: [
          { type: 'slack', webhookURL: `${r.url}/slack`, match: { severity: ['critical'] } },
          { type: 'discord', webhookURL: `${r.url}/discord`, match: { labels: { team: 'llm' } } },
          { type: 'webhook', url: `${r.url}/hook`, match: { severity: ['info'] } },
        ],
      },
    });
    await a.post(
      alertGroup({
        alerts: 40,
        labels: { error_type: 'auth', team: 'llm' },
        annotations: { summary: huge, description: huge },
      }),
    );
    await expect.poll(() => r.delivered().length).toBe(2);
    expect(r.delivered('/hook')).toHaveLength(0); // auth_failure is critical, not info
    const slack = r.delivered('/slack')[0]?.body as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(slack.blocks[0]?.text?.text.length).toBeLessThanOrEqual(150);
    for (const block of slack.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    expect(JSON.stringify(slack).length).toBeLessThan(13_000);
    const discord = r.delivered('/discord')[0]?.body as {
      content: string;
      embeds: {
        title: string;
        description: string;
        fields: { name: string; value: string }[];
        footer: { text: string };
      }[];
    };
    const embed = discord.embeds[0];
    expect(embed?.title.length).toBeLessThanOrEqual(256);
    expect(embed?.fields.length).toBeLessThanOrEqual(25);
    const total =
      (embed?.title.length ?? 0) +
      (embed?.description.length ?? 0) +
      (embed?.footer.text.length ?? 0) +
      (embed?.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed?.fields.every((f) => f.value.length <= 1024)).toBe(true);
    expect(discord.content.length).toBeLessThanOrEqual(2000);
  });

  it('sends email over SMTP and retries a 451', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    smtp.failNext(1);
    const a = await analyzer({
      analyzer: {
        notify: [
          {
            type: 'email',
            host: '127.0.0.1',
            port: smtp.port,
            from: 'inferwatch@example.com',
            to: ['oncall@example.com'],
          },
        ],
      },
    });
    await a.post(alertGroup({ labels: { error_type: 'rate_limited' } }));
    await expect.poll(() => smtp.mails.length, { timeout: 5_000 }).toBe(1);
    expect(smtp.mails[0]?.to).toEqual(['oncall@example.com']);
    expect(smtp.mails[0]?.data).toMatch(/Subject: .*WARNING/);
    expect(smtp.mails[0]?.data).toMatch(/rule-based/);
  });
});
