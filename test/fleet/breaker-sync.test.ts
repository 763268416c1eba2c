import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisSchema } from '../../src/config/redis-schema.ts';
import type { PeerChange } from '../../src/gateway/breaker.ts';
import {
  type BreakerSync,
  type BreakerSyncHooks,
  createLocalBreakerSync,
  type OwnChange,
} from '../../src/gateway/breaker-sync.ts';
import { createRedisBreakerSync } from '../../src/gateway/breaker-sync-redis.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRedisLink, type RedisLink } from '../../src/redis/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { uniquePrefix } from './harness.ts';

const ready = requireTools(redisRequirements());

let server: RedisServer | undefined;
let cleanup: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  if (ready) server = await startRedis();
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});
afterAll(() => server?.stop());

interface Member {
  sync: BreakerSync;
  adopted: { target: string; change: PeerChange }[];
  granted: string[];
  open: { target: string; change: OwnChange }[];
  link?: RedisLink;
}

async function member(make: () => Promise<{ sync: BreakerSync; link?: RedisLink }>): Promise<Member> {
  const { sync, link } = await make();
  const state: Member = { sync, adopted: [], granted: [], open: [], ...(link ? { link } : {}) };
  const hooks: BreakerSyncHooks = {
    adopt: (target, change) => state.adopted.push({ target, change }),
    openBreakers: () => state.open,
    granted: (target) => state.granted.push(target),
  };
  sync.attach(hooks);
  await sync.start();
  cleanup.push(() => sync.stop());
  return state;
}

async function redisMember(instance: string, prefix: string): Promise<Member> {
  return member(async () => {
    if (!server) throw new Error('redis-server is not running');
    const config = redisSchema.parse({ url: server.url, keyPrefix: prefix }) as ReturnType<
      typeof redisSchema.parse
    > & { url: string };
    const link = createRedisLink({
      config,
      logger: silentLogger,
      instruments: createTestTelemetry().instruments,
      instanceId: instance,
    });
    await link.connect();
    cleanup.push(() => link.close());
    return { sync: createRedisBreakerSync({ link, instance, logger: silentLogger }), link };
  });
}

/** A claim settles asynchronously against Redis: ask until the answer is not `pending`. */
const settledClaim = (sync: BreakerSync, target: string, leaseMs = 5_000, openedAt = 1_000) =>
  expect.poll(() => sync.claimTrial(target, leaseMs, openedAt), { interval: 10 });

const implementations: [string, () => Promise<Member>][] = [
  ['one replica alone', () => member(async () => ({ sync: createLocalBreakerSync() }))],
];
if (ready) {
  implementations.push(['Redis', () => redisMember('solo', uniquePrefix('contract'))]);
}

describe.each(implementations)('breaker sync contract: %s', (_name, make) => {
  it('grants a lone replica the half-open trial, again after it gave it back', async () => {
    const { sync } = await make();
    await settledClaim(sync, 'p/m').toBe('granted');
    sync.releaseTrial('p/m');
    await settledClaim(sync, 'p/m').toBe('granted');
  });
});

describe.skipIf(!ready)('breaker sync on Redis', () => {
  it("tells the other replicas of an open and a close, with the episode's start", async () => {
    const prefix = uniquePrefix('announce');
    const a = await redisMember('replica-a', prefix);
    const b = await redisMember('replica-b', prefix);
    a.sync.announce('p/m', { to: 'open', reason: '3 consecutive failures', openedAt: 1_000 });
    await expect
      .poll(() => b.adopted)
      .toEqual([
        {
          target: 'p/m',
          change: { to: 'open', reason: '3 consecutive failures', openedAt: 1_000, peer: 'replica-a' },
        },
      ]);
    a.sync.announce('p/m', { to: 'closed', reason: 'health check passed', openedAt: 1_000 });
    await expect.poll(() => b.adopted.length).toBe(2);
    expect(b.adopted[1]?.change).toMatchObject({ to: 'closed', openedAt: 1_000 });
    // Published to every subscriber at once: by now A heard its own messages too, and ignored them.
    expect(a.adopted).toEqual([]);
  });

  it('lets one replica trial at a time; the lease passes on when given back, or when it expires', async () => {
    const prefix = uniquePrefix('lease');
    const a = await redisMember('replica-a', prefix);
    const b = await redisMember('replica-b', prefix);
    await settledClaim(a.sync, 'p/m', 400).toBe('granted');
    expect(a.granted).toEqual(['p/m']);
    await settledClaim(b.sync, 'p/m', 400).toBe('elsewhere');
    a.sync.releaseTrial('p/m');
    await settledClaim(b.sync, 'p/m', 400).toBe('granted');
    // B holds it and never gives it back (it died, say): after its 400 ms, A can take it.
    await settledClaim(a.sync, 'p/m', 400).toBe('elsewhere');
    await expect
      .poll(() => a.sync.claimTrial('p/m', 400, 1_000), { interval: 50, timeout: 2_000 })
      .toBe('granted');
  });

  it('tells a replica that starts later which breakers are open, and forgets closed ones', async () => {
    const prefix = uniquePrefix('late');
    const a = await redisMember('replica-a', prefix);
    a.sync.announce('p/open', { to: 'open', reason: 'r', openedAt: 5 });
    a.sync.announce('p/closed', { to: 'open', reason: 'r', openedAt: 5 });
    a.sync.announce('p/closed', { to: 'closed', reason: 'r', openedAt: 5 });
    await expect.poll(() => a.link?.commands.hkeys(a.link.key('breakers:open'))).toEqual(['p/open']);
    const late = await redisMember('replica-late', prefix);
    expect(late.adopted.map((entry) => entry.target)).toEqual(['p/open']);
  });

  it('answers a claim for an episode closed elsewhere with the close, not the lease', async () => {
    const prefix = uniquePrefix('closed-claim');
    const a = await redisMember('replica-a', prefix);
    a.sync.announce('p/m', { to: 'open', reason: 'r', openedAt: 1_000 });
    a.sync.announce('p/m', { to: 'closed', reason: 'health check passed', openedAt: 1_000 });
    await expect.poll(() => a.link?.commands.hkeys(a.link.key('breakers:open'))).toEqual([]);
    // B missed the published close (it was not subscribed yet), as a busy replica may still be about to
    // read it when its claim is answered: the answer itself carries the verdict.
    const b = await redisMember('replica-b', prefix);
    expect(b.sync.claimTrial('p/m', 5_000, 1_000)).toBe('pending');
    await expect
      .poll(() => b.adopted)
      .toEqual([
        {
          target: 'p/m',
          change: { to: 'closed', reason: 'health check passed', openedAt: 1_000, peer: 'replica-a' },
        },
      ]);
    expect(b.granted).toEqual([]);
    // Its own close never stands in A's way; a later episode is a new question for anyone.
    await settledClaim(a.sync, 'p/m', 5_000, 1_000).toBe('granted');
    a.sync.releaseTrial('p/m');
    await settledClaim(b.sync, 'p/m', 5_000, 2_000).toBe('granted');
  });

  it('a close of an older episode leaves a newer open in place', async () => {
    const prefix = uniquePrefix('episodes');
    const a = await redisMember('replica-a', prefix);
    a.sync.announce('p/m', { to: 'open', reason: 'newer', openedAt: 2_000 });
    a.sync.announce('p/m', { to: 'closed', reason: 'older trial', openedAt: 1_000 });
    // One connection answers in order: this read comes after both announcements were applied.
    const entry = await a.link?.commands.hget(a.link.key('breakers:open'), 'p/m');
    expect(JSON.parse(entry ?? '{}')).toMatchObject({ to: 'open', reason: 'newer', openedAt: 2_000 });
  });

  it('decides alone while Redis is down, and announces what opened meanwhile when it returns', async () => {
    if (!server) throw new Error('redis-server is not running');
    const prefix = uniquePrefix('outage');
    const a = await redisMember('replica-a', prefix);
    const b = await redisMember('replica-b', prefix);
    await server.kill();
    await expect.poll(() => a.link?.available()).toBe(false);
    expect(a.sync.claimTrial('p/m', 5_000, 1_000)).toBe('granted');
    expect(b.sync.claimTrial('p/m', 5_000, 1_000)).toBe('granted');
    a.open.push({
      target: 'p/m',
      change: { to: 'open', reason: 'opened while redis was unreachable', openedAt: 42 },
    });
    await server.restart();
    await expect
      .poll(() => b.adopted.map((entry) => entry.change.peer), { timeout: 15_000 })
      .toContain('replica-a');
  });
});
