import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentStore, type IncidentStore, openDatabase } from '../../src/store/index.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { type ReplicaState, startReplicaState, uniquePrefix } from './harness.ts';

const ready = requireTools(redisRequirements());

let server: RedisServer | undefined;
const started: ReplicaState[] = [];
beforeAll(async () => {
  if (ready) server = await startRedis();
});
afterAll(async () => {
  await Promise.all(started.map((replica) => replica.stop()));
  await server?.stop();
});

async function replica(instance: string, prefix: string, extra: Record<string, unknown> = {}) {
  if (!server) throw new Error('redis-server is not running');
  const state = await startReplicaState(instance, { url: server.url, keyPrefix: prefix, ...extra });
  started.push(state);
  return state;
}

/** Each implementation of IncidentStore, fresh and empty, with the instance it tags incidents with. */
const implementations: [string, () => Promise<{ store: IncidentStore; instance: string }>][] = [
  [
    'SQLite (one replica)',
    async () => ({
      store: createIncidentStore(openDatabase(':memory:'), { instance: 'solo' }),
      instance: 'solo',
    }),
  ],
];
if (ready) {
  implementations.push([
    'Redis (the fleet)',
    async () => {
      const state = await replica('fleet-a', uniquePrefix('contract'));
      return { store: state.fleet.incidents, instance: 'fleet-a' };
    },
  ]);
}

const incident = (kind: string, subject: string, at: string) => ({
  kind,
  subject,
  at,
  severity: 'warning' as const,
  title: `${kind} on ${subject}`,
  detail: { nested: { value: 1 }, list: ['a'] },
});

describe.each(implementations)('incident store contract: %s', (_name, make) => {
  it('lists newest first, each incident as recorded and tagged with its replica', async () => {
    const { store, instance } = await make();
    const first = store.record(incident('failover', 'sim', '2030-01-01T00:00:01.000Z'));
    store.record(incident('circuit_open', 'sim', '2030-01-01T00:00:02.000Z'));
    await expect.poll(async () => (await store.list()).length).toBe(2);
    const listed = await store.list();
    expect(listed.map((row) => row.kind)).toEqual(['circuit_open', 'failover']);
    expect(listed[1]).toEqual({ ...first, instance });
    expect(listed[1]?.detail).toEqual({ nested: { value: 1 }, list: ['a'] });
  });

  it('filters by one kind, several kinds and subject, and honours the limit', async () => {
    const { store } = await make();
    for (let index = 0; index < 6; index++) {
      store.record(
        incident(
          index % 2 ? 'failover' : 'stream_cut',
          index < 3 ? 'a' : 'b',
          `2030-01-01T00:00:0${index}.000Z`,
        ),
      );
    }
    store.record(incident('circuit_open', 'a', '2030-01-01T00:00:09.000Z'));
    await expect.poll(async () => (await store.list({ limit: 100 })).length).toBe(7);
    expect((await store.list({ kind: 'failover' })).map((row) => row.at.slice(17, 19))).toEqual([
      '05',
      '03',
      '01',
    ]);
    expect((await store.list({ kind: ['failover', 'circuit_open'] })).length).toBe(4);
    expect((await store.list({ kind: 'stream_cut', subject: 'a' })).length).toBe(2);
    expect((await store.list({ limit: 2 })).map((row) => row.kind)).toEqual(['circuit_open', 'failover']);
    expect(await store.list({ kind: 'nothing_like_it' })).toEqual([]);
  });
});

describe.skipIf(!ready)('incidents across a fleet', () => {
  it("shows every replica's incidents on each, each tagged with its replica", async () => {
    const prefix = uniquePrefix('fleet-incidents');
    const a = await replica('replica-a', prefix);
    const b = await replica('replica-b', prefix);
    a.bus.publish({
      type: 'incident',
      id: 'from-a',
      kind: 'circuit_open',
      severity: 'warning',
      title: 'a',
      subject: 's',
      detail: {},
    });
    b.bus.publish({
      type: 'incident',
      id: 'from-b',
      kind: 'failover',
      severity: 'warning',
      title: 'b',
      subject: 's',
      detail: {},
    });
    await expect
      .poll(async () => (await a.fleet.incidents.list()).map((row) => `${row.id}@${row.instance}`).sort())
      .toEqual(['from-a@replica-a', 'from-b@replica-b']);
    expect(a.fleet.incidents.scope()).toBe('fleet');
    expect((await b.fleet.incidents.list()).length).toBe(2);
  });

  it('answers from its own store while Redis is away, and sends the incidents it held when it returns', async () => {
    if (!server) throw new Error('redis-server is not running');
    const prefix = uniquePrefix('incident-outage');
    const a = await replica('replica-a', prefix);
    const b = await replica('replica-b', prefix);
    await server.kill();
    await expect.poll(() => a.fleet.link.available()).toBe(false);
    a.bus.publish({
      type: 'incident',
      id: 'during-outage',
      kind: 'all_targets_unavailable',
      severity: 'critical',
      title: 'x',
      subject: 's',
      detail: {},
    });
    expect((await a.fleet.incidents.list()).map((row) => row.id)).toEqual(['during-outage']);
    expect(a.fleet.incidents.scope()).toBe('replica');
    await server.restart();
    await expect
      .poll(async () => (await b.fleet.incidents.list()).map((row) => `${row.id}@${row.instance}`), {
        timeout: 15_000,
      })
      .toEqual(['during-outage@replica-a']);
    expect(b.fleet.incidents.scope()).toBe('fleet');
  });

  it('keeps only maxIncidents in Redis, the oldest going first', async () => {
    const a = await replica('replica-a', uniquePrefix('bounded'), { maxIncidents: 100 });
    for (let index = 0; index < 130; index++) {
      a.fleet.incidents.record(
        incident('failover', 's', new Date(Date.UTC(2030, 0, 1, 0, 0, index)).toISOString()),
      );
    }
    await expect.poll(() => a.fleet.link.commands.zcard(a.fleet.link.key('incidents'))).toBe(100);
    const oldest = (await a.fleet.incidents.list({ limit: 1000 })).at(-1);
    expect(oldest?.at).toBe(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toISOString());
  });
});
