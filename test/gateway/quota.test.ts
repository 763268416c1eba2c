import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
const as = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  upstream = await startSimulatedUpstream();
  gateway = await startGateway({
    // Limits and budgets name the key, never the secret: rotating `key` under the same name keeps them.
    server: {
      apiKeys: [
        { name: 'tokens', key: 'sk-tokens' },
        { name: 'budget', key: 'sk-budget' },
        { name: 'spender', key: 'sk-spender' },
        'sk-free',
      ],
    },
    analyzer: { enabled: false },
    providers: [
      {
        ...fastProvider('primary', upstream.baseURL),
        // A tenth of a cent a token: a few answers spend a few cents.
        pricing: { 'sim-small': { inputPerMillion: 1_000, outputPerMillion: 1_000 } },
      },
    ],
    routes: [{ model: '*', targets: [{ provider: 'primary', model: 'sim-small' }] }],
    rateLimit: { clients: { tokens: { requests: 50, tokensPerMinute: 10 } } },
    budgets: { clients: { budget: { daily: { tokens: 30 } }, spender: { monthly: { usd: 0.05 } } } },
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; type: string } }).error;

describe('limits and budgets of one gateway without Redis', () => {
  it("sends OpenAI's x-ratelimit headers and refuses once a key's minute of tokens is used up", async () => {
    const first = await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-tokens'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('50');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('49');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('10');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('10');
    const tokens = ((await first.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
    expect(tokens).toBeGreaterThanOrEqual(10);
    // The first answer's tokens used the minute up: the next request is refused until it ends.
    await expect
      .poll(
        async () =>
          (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-tokens'))).status,
      )
      .toBe(429);
    const refused = await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-tokens'));
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    // /v1/models spends no tokens: still served.
    expect((await fetch(`${gateway.url}/v1/models`, { headers: as('sk-tokens') })).status).toBe(200);
  });

  it('refuses a key past its daily token budget with 429 budget_exceeded, and reports the budget', async () => {
    let status = 200;
    for (let index = 0; index < 10 && status === 200; index++) {
      status = (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-budget'))).status;
    }
    await expect
      .poll(
        async () =>
          (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-budget'))).status,
      )
      .toBe(429);
    const refused = await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-budget'));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(refused)).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota' });
    // Other keys have no budget: untouched.
    expect((await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-free'))).status).toBe(
      200,
    );

    // GET /api/metrics reports the key's day: what it spent against its budget.
    await expect
      .poll(async () => {
        const response = await fetch(`${gateway.url}/api/metrics`, { headers: as('sk-free') });
        const body = (await response.json()) as {
          gateway: { budgets: Record<string, { day: { spentTokens: number; limitTokens: number } }> };
        };
        return body.gateway.budgets.budget?.day.spentTokens ?? 0;
      })
      .toBeGreaterThanOrEqual(30);
    const metrics = await gateway.telemetry.collectMetrics();
    const spent = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.budget.spent');
    const day = spent?.dataPoints.find(
      (point) =>
        point.attributes['inferwatch.client'] === 'budget' &&
        point.attributes['inferwatch.budget.period'] === 'day' &&
        point.attributes['inferwatch.budget.measure'] === 'tokens',
    );
    expect(day?.value).toBeGreaterThanOrEqual(30);
    const refusals = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.rate_limited');
    expect(refusals?.dataPoints.map((point) => point.attributes['inferwatch.reason']).sort()).toEqual([
      'budget',
      'tokens',
    ]);
  });

  it("refuses a key past its monthly spend budget, priced from the provider's per-model prices", async () => {
    let answered = 0;
    let status = 200;
    for (let index = 0; index < 20 && status === 200; index++) {
      status = (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-spender'))).status;
      if (status === 200) answered += 1;
    }
    await expect
      .poll(
        async () =>
          (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-spender'))).status,
        { timeout: 10_000 },
      )
      .toBe(429);
    const refused = await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-spender'));
    expect(await errorOf(refused)).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota' });
    expect(answered).toBeGreaterThan(0);
    // What the key spent is what its answers cost: in the budget report and in the usage totals alike.
    await expect
      .poll(
        async () => {
          const response = await fetch(`${gateway.url}/api/metrics`, { headers: as('sk-free') });
          const body = (await response.json()) as {
            gateway: {
              budgets: Record<string, { month: { spentUsd: number; limitUsd: number } }>;
              usage: { byClient: Record<string, { costUsd: number }> };
            };
          };
          const month = body.gateway.budgets.spender?.month;
          const cost = body.gateway.usage.byClient.spender?.costUsd ?? 0;
          // The budget report follows the requests within a second; the usage totals at once.
          return {
            limitUsd: month?.limitUsd,
            spentAtLeastLimit: (month?.spentUsd ?? 0) >= 0.05,
            spentIsCost: Math.abs((month?.spentUsd ?? 0) - cost) < 1e-5,
          };
        },
        { timeout: 10_000 },
      )
      .toEqual({ limitUsd: 0.05, spentAtLeastLimit: true, spentIsCost: true });
  });
});
