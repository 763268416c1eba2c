import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSchema } from '../../src/config/redis-schema.ts';
import {
  type ClientLimits,
  createFleetQuotaStore,
  createMemoryQuotaStore,
  createRedisQuotaStore,
  type QuotaStore,
} from '../../src/gateway/quota/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRedisLink, type RedisLink } from '../../src/redis/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { uniquePrefix } from './harness.ts';

const ready = requireTools(redisRequirements());

let server: RedisServer | undefined;
const links: RedisLink[] = [];
beforeAll(async () => {
  if (ready) server = await startRedis();
});
afterAll(async () => {
  await Promise.all(links.map((link) => link.close()));
  await server?.stop();
});

async function link(prefix = uniquePrefix('quota')) {
  if (!server) throw new Error('redis-server is not running');
  const config = redisSchema.parse({ url: server.url, keyPrefix: prefix }) as ReturnType<
    typeof redisSchema.parse
  > & { url: string };
  const created = createRedisLink({
    config,
    logger: silentLogger,
    instruments: createTestTelemetry().instruments,
    instanceId: 'quota-test',
  });
  await created.connect();
  links.push(created);
  return created;
}

const none = { usdMicros: null, tokens: null };
const limits = (overrides: Partial<ClientLimits> = {}): ClientLimits => ({
  requests: null,
  windowMs: 60_000,
  tokensPerMinute: null,
  budgets: { day: none, month: none },
  ...overrides,
});
const subject = (name: string) => ({ limiter: name, budget: name });
/** One minute before a UTC month ends: both periods roll over within the tests' clock. */
const lastMinuteOfJanuary = Date.UTC(2030, 0, 31, 23, 59, 0);

const implementations: [string, () => Promise<QuotaStore>][] = [
  ['in the process', async () => createMemoryQuotaStore()],
];
if (ready) {
  implementations.push(['on Redis', async () => createRedisQuotaStore(await link())]);
  implementations.push([
    'the fleet store, Redis up',
    async () => createFleetQuotaStore({ link: await link(), whenDown: 'share', replicas: () => 3 }),
  ]);
}

describe.each(implementations)('quota store contract: %s', (_name, make) => {
  it('allows `requests` per window counted from the first, then refuses until the window starts over', async () => {
    const store = await make();
    const at = lastMinuteOfJanuary;
    const rule = limits({ requests: 3, windowMs: 10_000 });
    const remaining: number[] = [];
    for (let index = 0; index < 3; index++) {
      const verdict = await store.check(subject('a'), rule, { now: at + index, spends: true });
      expect(verdict.allowed).toBe(true);
      remaining.push(verdict.requests?.remaining ?? -1);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await store.check(subject('a'), rule, { now: at + 4_000, spends: true });
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'requests', retryAfterMs: 6_000 });
    expect(refused.requests).toEqual({ limit: 3, remaining: 0, resetMs: 6_000 });
    // Another client has its own window; refusals did not count.
    expect((await store.check(subject('b'), rule, { now: at + 4_000, spends: true })).allowed).toBe(true);
    const again = await store.check(subject('a'), rule, { now: at + 10_000, spends: true });
    expect(again).toMatchObject({ allowed: true, requests: { remaining: 2, resetMs: 10_000 } });
  });

  it('refuses once the minute of tokens is used up, on chat only, and lets in again after it', async () => {
    const store = await make();
    const at = lastMinuteOfJanuary;
    const rule = limits({ tokensPerMinute: 100 });
    expect(await store.check(subject('t'), rule, { now: at, spends: true })).toMatchObject({
      allowed: true,
      tokens: { limit: 100, remaining: 100 },
    });
    await store.charge(subject('t'), rule, { tokens: 60, usdMicros: 0 }, at);
    expect((await store.check(subject('t'), rule, { now: at + 1, spends: true })).tokens?.remaining).toBe(40);
    await store.charge(subject('t'), rule, { tokens: 60, usdMicros: 0 }, at + 2);
    const refused = await store.check(subject('t'), rule, { now: at + 20_000, spends: true });
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'tokens', retryAfterMs: 40_000 });
    expect((await store.check(subject('t'), rule, { now: at + 20_000, spends: false })).allowed).toBe(true);
    expect((await store.check(subject('t'), rule, { now: at + 60_000, spends: true })).allowed).toBe(true);
  });

  it('refuses past a daily token budget until the next UTC day, reporting what was spent', async () => {
    const store = await make();
    const at = lastMinuteOfJanuary;
    const rule = limits({ budgets: { day: { usdMicros: null, tokens: 1_000 }, month: none } });
    expect((await store.check(subject('d'), rule, { now: at, spends: true })).allowed).toBe(true);
    await store.charge(subject('d'), rule, { tokens: 1_200, usdMicros: 5 }, at);
    const refused = await store.check(subject('d'), rule, { now: at + 1_000, spends: true });
    expect(refused).toMatchObject({
      allowed: false,
      refusedBy: 'budget',
      period: 'day',
      retryAfterMs: 59_000,
    });
    expect(refused.spent.day).toMatchObject({ tokens: 1_200, usdMicros: 5 });
    // /v1/models spends nothing: not refused by a budget.
    expect((await store.check(subject('d'), rule, { now: at + 1_000, spends: false })).allowed).toBe(true);
    expect((await store.check(subject('d'), rule, { now: at + 60_000, spends: true })).allowed).toBe(true);
    expect(await store.spent('d', at + 1_000)).toMatchObject({
      day: { tokens: 1_200, usdMicros: 5, resetMs: 59_000 },
      month: { tokens: 1_200, usdMicros: 5 },
    });
  });

  it('refuses past a monthly spend budget across days, until the month ends', async () => {
    const store = await make();
    const at = Date.UTC(2030, 0, 30, 12, 0, 0);
    const rule = limits({ budgets: { day: none, month: { usdMicros: 2_000_000, tokens: null } } });
    await store.charge(subject('m'), rule, { tokens: 10, usdMicros: 1_500_000 }, at);
    expect((await store.check(subject('m'), rule, { now: at + 86_400_000, spends: true })).allowed).toBe(
      true,
    );
    await store.charge(subject('m'), rule, { tokens: 10, usdMicros: 600_000 }, at + 86_400_000);
    const refused = await store.check(subject('m'), rule, { now: at + 86_400_000 + 1, spends: true });
    expect(refused).toMatchObject({ refusedBy: 'budget', period: 'month' });
    expect(refused.retryAfterMs).toBe(Date.UTC(2030, 1, 1) - (at + 86_400_000 + 1));
    expect((await store.check(subject('m'), rule, { now: Date.UTC(2030, 1, 1), spends: true })).allowed).toBe(
      true,
    );
  });
});

describe.skipIf(!ready)('the fleet store when Redis is away', () => {
  it('enforces a per-replica share, then sends what was used meanwhile to the fleet budget', async () => {
    if (!server) throw new Error('redis-server is not running');
    const redis = await link();
    const store = createFleetQuotaStore({ link: redis, whenDown: 'share', replicas: () => 4 });
    const rule = limits({ requests: 10, budgets: { day: { usdMicros: null, tokens: 1_000 }, month: none } });
    const at = Date.now();
    await store.charge(subject('s'), rule, { tokens: 600, usdMicros: 0 }, at);
    expect((await store.check(subject('s'), rule, { now: at, spends: true })).scope).toBe('fleet');
    await server.kill();
    await expect.poll(() => redis.available()).toBe(false);
    // 10 requests ÷ 4 replicas, rounded down (the fleet never exceeds its limit); a quarter of the 400
    // tokens left when Redis last answered.
    const verdicts = [];
    for (let index = 0; index < 3; index++) {
      verdicts.push(await store.check(subject('s'), rule, { now: at + index, spends: true }));
    }
    expect(verdicts.map((verdict) => [verdict.scope, verdict.allowed])).toEqual([
      ['replica', true],
      ['replica', true],
      ['replica', false],
    ]);
    await store.charge(subject('s'), rule, { tokens: 100, usdMicros: 0 }, at);
    expect(
      await store.check(subject('s'), limits({ budgets: rule.budgets }), { now: at, spends: true }),
    ).toMatchObject({
      allowed: false,
      refusedBy: 'budget',
    });
    await server.restart();
    await expect.poll(() => redis.available(), { timeout: 10_000 }).toBe(true);
    // Redis came back empty (no persistence here): it now holds exactly what was used while it was away.
    await expect.poll(async () => (await store.spent('s', at)).day.tokens).toBe(100);
  });

  it("with whenRedisDown 'open', lets every request through while Redis is away", async () => {
    if (!server) throw new Error('redis-server is not running');
    const redis = await link();
    const store = createFleetQuotaStore({ link: redis, whenDown: 'open', replicas: () => 2 });
    await server.kill();
    await expect.poll(() => redis.available()).toBe(false);
    const rule = limits({ requests: 1 });
    for (let index = 0; index < 3; index++) {
      expect(await store.check(subject('o'), rule, { now: Date.now(), spends: true })).toMatchObject({
        allowed: true,
        scope: 'open',
      });
    }
    await server.restart();
    await expect.poll(() => redis.available(), { timeout: 10_000 }).toBe(true);
  });
});
