import { afterEach, describe, expect, it } from 'vitest';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { alertGroup, startAnalyzer } from './harness.ts';
import { startScriptedLlm } from './scripted-llm.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(mode: Parameters<typeof startScriptedLlm>[0], llm: Record<string, unknown> = {}) {
  const fake = await startScriptedLlm(mode);
  cleanups.push(fake.close);
  const receivers = await startReceivers();
  cleanups.push(receivers.close);
  const analyzer = await startAnalyzer({
    analyzer: {
      llm: { baseURL: fake.baseURL, apiKey: 'sk-test-key', model: 'fake-mini', timeoutMs: 1_000, ...llm },
      notify: [{ type: 'webhook', url: `${receivers.url}/hook` }],
    },
  });
  cleanups.push(analyzer.stop);
  return { fake, receivers, ...analyzer };
}

type Delivered = { source: string; fallbackReason?: string; evidence: string[]; summary: string };
const lastBody = (receivers: Awaited<ReturnType<typeof startReceivers>>) =>
  receivers.delivered('/hook').at(-1)?.body as Delivered | undefined;

describe('LLM refinement', () => {
  it('uses a valid LLM answer at low temperature with JSON output, and records its usage', async () => {
    const { fake, receivers, post, telemetry } = await setup('good');
    // The LLM answers 401 to any other key: an LLM-sourced explanation proves the key went out.
    fake.setFaults({ apiKey: 'sk-test-key' });
    await post(alertGroup({ labels: { error_type: 'rate_limited' } }));
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(lastBody(receivers)).toMatchObject({ source: 'llm', summary: 'LLM summary: provider trouble' });
    const request = fake.last?.body as {
      temperature: number;
      response_format: { type: string };
      model: string;
    };
    expect(request).toMatchObject({ model: 'fake-mini', response_format: { type: 'json_object' } });
    expect(request.temperature).toBeLessThanOrEqual(0.2);
    expect(fake.stats.requests).toBe(1);
    expect(fake.last?.headers.authorization).toBe('[redacted]');
    const names = (await telemetry.collectMetrics()).map((metric) => metric.descriptor.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'inferwatch.analyzer.llm.duration',
        'gen_ai.client.token.usage',
        'inferwatch.analyzer.analyses',
      ]),
    );
  });

  it('drops evidence that quotes numbers or names absent from the context', async () => {
    const { receivers, post, analyses } = await setup('invented');
    await post(alertGroup({ labels: { error_type: 'rate_limited', provider: 'openai' } }));
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    const body = lastBody(receivers);
    expect(body?.source).toBe('llm');
    expect(body?.evidence.join('\n')).not.toMatch(/97\.3|db-primary-7|123456/);
    expect(body?.evidence.length).toBeGreaterThan(0);
    expect((await analyses())[0]?.droppedEvidence).toBe(2);
  });

  it.each([
    ['invalid', 'invalid_output'],
    ['fail', 'error'],
    ['slow', 'timeout'],
  ] as const)('falls back to the rule-based explanation when the LLM answer is %s', async (mode, reason) => {
    const { receivers, post, telemetry } = await setup(mode, { timeoutMs: 300 });
    await post(alertGroup({ labels: { error_type: 'auth' } }));
    await expect.poll(() => receivers.delivered('/hook').length, { timeout: 5_000 }).toBe(1);
    expect(lastBody(receivers)).toMatchObject({
      source: 'rules',
      fallbackReason: reason,
      category: 'auth_failure',
    });
    const fallbacks = (await telemetry.collectMetrics()).find(
      (m) => m.descriptor.name === 'inferwatch.analyzer.llm.fallbacks',
    );
    expect(fallbacks?.dataPoints[0]?.attributes).toEqual({ 'inferwatch.reason': reason });
  });

  it('still notifies, rule-based, when the LLM endpoint is down', async () => {
    const { fake, receivers, post } = await setup('good');
    await fake.close();
    await post(alertGroup());
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(lastBody(receivers)).toMatchObject({ source: 'rules', fallbackReason: 'error' });
  });

  it('redacts keys, tokens, emails and IPs from everything sent to the LLM', async () => {
    const { fake, receivers, post } = await setup('good');
    const secrets = [
      'sk-proj-abcdefghijklmnop123456',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
      'oncall@example.com',
      '10.20.30.40',
      'hunter2pass',
      '2001:db8:85a3::8a2e:370:7334',
    ];
    await post(
      alertGroup({
        labels: { instance: '10.20.30.40:9090', owner: 'oncall@example.com' },
        annotations: {
          description: `key sk-proj-abcdefghijklmnop123456 failed; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ password=hunter2pass from 2001:db8:85a3::8a2e:370:7334`,
        },
      }),
    );
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(fake.stats.requests).toBe(1);
    const sent = JSON.stringify(fake.last?.body);
    for (const secret of secrets) expect(sent).not.toContain(secret);
    expect(sent).toContain('[REDACTED_EMAIL]');
    expect(sent).toContain('[REDACTED_IP]');
  });

  it('explains a storm of 1,000 alerts in 100 groups with at most 100 LLM calls and loses none', async () => {
    const { fake, receivers, post, analyses } = await setup('good', { maxConcurrency: 4 });
    const groups = Array.from({ length: 100 }, (_, g) =>
      alertGroup({
        groupKey: `{}:{alertname="Storm",provider="p${g}"}`,
        alertname: 'Storm',
        alerts: 10,
        labels: { provider: `p${g}` },
      }),
    );
    for (let i = 0; i < groups.length; i += 20) {
      const statuses = await Promise.all(
        groups.slice(i, i + 20).map(async (group) => (await post(group)).status),
      );
      expect(statuses.every((status) => status === 202)).toBe(true);
    }
    // Alertmanager retries part of the storm: duplicates must not cost LLM calls either.
    await Promise.all(groups.slice(0, 30).map((group) => post(group)));
    await expect.poll(() => receivers.delivered('/hook').length, { timeout: 15_000 }).toBe(100);
    expect(fake.stats.requests).toBeLessThanOrEqual(100);
    expect(await analyses()).toHaveLength(100);
    const alerts = receivers
      .delivered('/hook')
      .reduce((sum, r) => sum + (r.body as { alertCount: number }).alertCount, 0);
    expect(alerts).toBe(1_000);
  });
});
