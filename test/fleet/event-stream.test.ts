import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/events/index.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { type ReplicaState, startReplicaState, uniquePrefix } from './harness.ts';

const ready = requireTools(redisRequirements());

let server: RedisServer;
let started: ReplicaState[] = [];
beforeAll(async () => {
  if (ready) server = await startRedis();
});
afterEach(async () => {
  await Promise.all(started.map((replica) => replica.stop()));
  started = [];
});
afterAll(() => server?.stop());

async function replica(instance: string, prefix: string, extra: Record<string, unknown> = {}) {
  const state = await startReplicaState(instance, { url: server.url, keyPrefix: prefix, ...extra });
  started.push(state);
  return state;
}

function fleetEvents(state: ReplicaState) {
  const seen: Envelope[] = [];
  state.bus.subscribe('*', (event) => seen.push(event), { fleet: true });
  return seen;
}

const breakerOpened = {
  type: 'provider_status',
  provider: 'sim',
  model: 'm',
  from: 'closed',
  to: 'open',
  reason: '3 consecutive failures',
} as const;

describe.skipIf(!ready)('the fleet event stream', () => {
  it("brings one replica's events to the other's fleet subscribers, tagged with where they came from", async () => {
    const prefix = uniquePrefix('stream');
    const a = await replica('replica-a', prefix);
    const b = await replica('replica-b', prefix);
    const onB = fleetEvents(b);
    const localOnB: string[] = [];
    b.bus.subscribe('*', (event) => localOnB.push(event.instance));
    a.bus.publish({ type: 'heartbeat' });
    a.bus.publish(breakerOpened);
    await expect
      .poll(() => onB.map((event) => `${event.type}@${event.instance}`))
      .toEqual(['provider_status@replica-a']);
    expect(onB[0]).toMatchObject({ ...breakerOpened, seq: 2, instance: 'replica-a' });
    // The store, logs and analyzer of B act on B's own events only.
    expect(localOnB).toEqual([]);
    // A does not get its own events back.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(a.bus.recent().filter((event) => event.instance !== 'replica-a')).toEqual([]);
  });

  it('replays the recent past to a replica that starts later', async () => {
    const prefix = uniquePrefix('replay');
    const a = await replica('replica-a', prefix);
    a.bus.publish(breakerOpened);
    await expect.poll(() => a.fleet.link.commands.xlen(a.fleet.link.key('events'))).toBe(1);
    const c = await replica('replica-c', prefix);
    expect(c.bus.recent().map((event) => event.instance)).toEqual(['replica-a']);
  });

  it('holds events while Redis is down and sends them when it returns', async () => {
    const prefix = uniquePrefix('outage');
    const a = await replica('replica-a', prefix);
    const b = await replica('replica-b', prefix);
    const onB = fleetEvents(b);
    await server.kill();
    await expect.poll(() => a.fleet.link.available()).toBe(false);
    a.bus.publish(breakerOpened);
    a.bus.publish({ ...breakerOpened, from: 'open', to: 'half_open', reason: 'recovery time elapsed' });
    expect(a.fleet.status().pendingWrites).toBe(2);
    await server.restart();
    await expect
      .poll(() => onB.map((event) => (event.type === 'provider_status' ? event.to : event.type)), {
        timeout: 15_000,
      })
      .toEqual(['open', 'half_open']);
    expect(a.fleet.status().pendingWrites).toBe(0);
    const fallbacks = (await a.telemetry.collectMetrics()).find(
      (metric) => metric.descriptor.name === 'inferwatch.fleet.fallbacks',
    );
    expect(
      fallbacks?.dataPoints.find((point) => point.attributes['inferwatch.fleet.operation'] === 'event')
        ?.value,
    ).toBe(2);
  });

  it('drops the oldest held events past maxPendingWrites, counts them and says so when Redis returns', async () => {
    const prefix = uniquePrefix('overflow');
    const a = await replica('replica-a', prefix, { maxPendingWrites: 100 });
    await server.kill();
    await expect.poll(() => a.fleet.link.available()).toBe(false);
    for (let index = 0; index < 130; index++) a.bus.publish({ ...breakerOpened, reason: `#${index}` });
    expect(a.fleet.status().pendingWrites).toBe(100);
    const dropped = (await a.telemetry.collectMetrics()).find(
      (metric) => metric.descriptor.name === 'inferwatch.fleet.writes.dropped',
    );
    expect(dropped?.dataPoints[0]).toMatchObject({
      attributes: { 'inferwatch.fleet.write_kind': 'event' },
      value: 30,
    });
    await server.restart();
    await expect
      .poll(() => a.fleet.link.commands.xlen(a.fleet.link.key('events')).catch(() => 0), { timeout: 15_000 })
      .toBe(100);
    const first = await a.fleet.link.commands.xrange(a.fleet.link.key('events'), '-', '+', 'COUNT', 1);
    expect(JSON.parse(first[0]?.[1][1] ?? '{}').reason).toBe('#30');
    expect(a.log.messages('warn')).toContain(
      'events and incidents were dropped from the fleet stream while redis was unreachable',
    );
  });
});
