import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { chatBody, type Fleet, type Replica, startFleet } from './replicas.ts';

const ready = requireTools(redisRequirements());

let redis: RedisServer;
let upstream: SimulatedUpstream;
let fleet: Fleet;

/** One key per scenario; limits and budgets are configured by the key's name. */
const keys = { limited: 'sk-limited', budget: 'sk-budget', load: 'sk-load', after: 'sk-after' };
const as = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  if (!ready) return;
  // An ACL user allowed only keys and channels under the fleet's prefix: nothing inferwatch does strays.
  redis = await startRedis({ aclUser: { name: 'fleet', password: 'fleet-secret', prefix: 'limits-test:' } });
  upstream = await startSimulatedUpstream();
  fleet = await startFleet(3, {
    server: { apiKeys: Object.entries(keys).map(([name, key]) => ({ name, key })) },
    analyzer: { enabled: false },
    redis: { url: redis.url, username: 'fleet', password: 'fleet-secret', keyPrefix: 'limits-test:' },
    providers: [
      {
        name: 'upstream',
        baseURL: upstream.baseURL,
        healthCheck: 'none',
        timeouts: { connectMs: 1_000, firstTokenMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
      },
    ],
    routes: [{ model: '*', targets: [{ provider: 'upstream', model: 'sim-small' }] }],
    rateLimit: {
      clients: {
        limited: { requests: 30, windowSeconds: 600 },
        load: { requests: 100_000, windowSeconds: 600 },
        after: { requests: 6, windowSeconds: 600 },
      },
    },
    // Each simulated answer reports the same handful of tokens: a few answers use the day up.
    budgets: { clients: { budget: { daily: { tokens: 80 } } } },
  });
}, 90_000);
afterAll(async () => {
  await fleet?.stop();
  await upstream?.close();
  await redis?.stop();
});

function replicas(): [Replica, Replica, Replica] {
  const [a, b, c] = fleet.replicas;
  if (!a || !b || !c) throw new Error('three replicas expected');
  return [a, b, c];
}

/** The replica for the index-th request: each in turn, as a round-robin balancer would. */
function turn(index: number): Replica {
  const [a, b, c] = replicas();
  return [a, b, c][index % 3] ?? a;
}

/** `count` requests at once, spread over the replicas in turn; their statuses. */
async function burst(count: number, key: string): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => turn(index).chat(chatBody(), as(key))));
}

describe.skipIf(!ready)('three gateway replicas on one Redis: limits and budgets', () => {
  it('a per-key limit of 30 requests is exactly 30 across the fleet under concurrent load', async () => {
    // Warm (as a deployment is): a cold process's first burst stalls its event loop past timeouts.
    for (const answer of await burst(30, keys.load)) expect(answer.status).toBe(200);
    const answers = await burst(90, keys.limited);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    expect(statuses.filter((status) => status === 429)).toHaveLength(60);
    const served = answers.find((answer) => answer.status === 200);
    expect(served?.headers.get('x-ratelimit-limit-requests')).toBe('30');
    expect(served?.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+m\d+s$/);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(await refused?.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it("a token budget stops a client on every replica once the fleet's use reaches it", async () => {
    const used: number[] = [];
    let last = 200;
    for (let index = 0; index < 40 && last === 200; index++) {
      const answer = await turn(index).chat(chatBody(), as(keys.budget));
      last = answer.status;
      if (last === 200)
        used.push(((await answer.json()) as { usage: { total_tokens: number } }).usage.total_tokens);
    }
    expect(last).toBe(429);
    const spent = used.reduce((sum, tokens) => sum + tokens, 0);
    // Admitted while the fleet's day was under 80 tokens, so the answers took it to 80 or past it; one more
    // may have started while the previous answer's tokens were being added.
    expect(spent).toBeGreaterThanOrEqual(80);
    expect(spent - (used.at(-1) ?? 0) - (used.at(-2) ?? 0)).toBeLessThan(80);
    for (const replica of replicas()) {
      const refused = await replica.chat(chatBody(), as(keys.budget));
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({
        error: { code: 'budget_exceeded', type: 'insufficient_quota' },
      });
    }
    // Reported by a replica in /api/metrics: the fleet's spend against the budget.
    await expect
      .poll(
        async () => {
          const body = (await (await replicas()[2].get('/api/metrics', as(keys.budget))).json()) as {
            gateway: { budgets: Record<string, { day: { spentTokens: number; limitTokens: number } }> };
          };
          return body.gateway.budgets.budget?.day;
        },
        { timeout: 15_000, interval: 500 },
      )
      .toMatchObject({ spentTokens: spent, limitTokens: 80 });
  });

  it('Redis killed mid-load: no request fails for it, degradation is reported, fleet state resumes when it returns', async () => {
    const statuses: number[] = [];
    let next = 0;
    const total = 150;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        if (index === 50) await redis.kill();
        const answer = await turn(index).chat(chatBody(), as(keys.load));
        statuses.push(answer.status);
        await answer.body?.cancel();
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(statuses).toHaveLength(total);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    for (const replica of replicas()) {
      const ready = await replica.get('/ready');
      expect(ready.status).toBe(200);
      const body = await ready.json();
      expect(body).toMatchObject({ fleet: { redis: { available: false, required: false } } });
      // /ready is open to anyone: it says whether Redis answers, not where it is.
      expect(JSON.stringify(body)).not.toContain(String(redis.port));
      expect(replica.log()).toContain(
        'redis unreachable: rate limits, budgets and breakers run on per-replica state',
      );
    }

    await redis.restart();
    for (const replica of replicas()) {
      await expect
        .poll(
          async () =>
            ((await (await replica.get('/ready')).json()) as { fleet: { redis: { available: boolean } } })
              .fleet.redis.available,
          {
            timeout: 15_000,
            interval: 200,
          },
        )
        .toBe(true);
      expect(replica.log()).toContain('redis reachable again: fleet-wide state resumes');
    }
    // Limits are the fleet's again: 6 across all three replicas, not 6 each.
    const statusesAfter = (await burst(18, keys.after)).map((answer) => answer.status);
    expect(statusesAfter.filter((status) => status === 200)).toHaveLength(6);
  });
});
