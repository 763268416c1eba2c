import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { requireTools } from '../required-tools.ts';
import { type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { breakerState, chatBody, type Fleet, startFleet } from './replicas.ts';

const ready = requireTools(redisRequirements());

let redis: RedisServer;
let upstream: SimulatedUpstream;
let fleet: Fleet;

beforeAll(async () => {
  if (!ready) return;
  redis = await startRedis({ password: 'breakers-secret' });
  upstream = await startSimulatedUpstream();
  fleet = await startFleet(3, {
    redis: { url: redis.url.replace('//', '//:breakers-secret@'), keyPrefix: 'breakers-test:' },
    providers: [
      {
        name: 'upstream',
        baseURL: upstream.baseURL,
        healthCheck: 'models',
        timeouts: { connectMs: 1_000, firstTokenMs: 2_000, idleMs: 2_000, totalMs: 5_000 },
      },
    ],
    routes: [{ model: '*', targets: [{ provider: 'upstream', model: 'sim-small' }] }],
    retry: { maxAttempts: 1 },
    circuitBreaker: { failureThreshold: 2, recoverySeconds: 2, halfOpenMaxRequests: 1 },
  });
}, 90_000);
afterAll(async () => {
  await fleet?.stop();
  await upstream?.close();
  await redis?.stop();
});

/** Collects the text frames a WebSocket client receives. */
function listen(url: string) {
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  const open = new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, frames, open };
}

describe.skipIf(!ready)('three gateway replicas on one Redis: breakers and events', () => {
  it('a breaker opened on one replica is open on the others within a second, and its events reach a WebSocket on another', async () => {
    const [a, b, c] = fleet.replicas;
    if (!a || !b || !c) throw new Error('three replicas expected');
    const onC = listen(`${c.url.replace('http', 'ws')}/ws/events`);
    const systemOnB = listen(`${b.url.replace('http', 'ws')}/ws/system-events`);
    await Promise.all([onC.open, systemOnB.open]);

    upstream.setFaults({ mode: 'outage' });
    for (let index = 0; index < 2; index++)
      expect((await a.chat(chatBody())).status).toBeGreaterThanOrEqual(500);
    const opened = performance.now();
    expect(await breakerState(a, 'upstream')).toBe('open');
    await expect
      .poll(async () => [await breakerState(b, 'upstream'), await breakerState(c, 'upstream')], {
        interval: 20,
        timeout: 1_000,
      })
      .toEqual(['open', 'open']);
    expect(performance.now() - opened).toBeLessThan(1_000);

    // A's own events on C's socket, tagged with where they happened.
    await expect
      .poll(() => onC.frames.some((frame) => frame.type === 'incident' && frame.instance === 'replica-a'))
      .toBe(true);
    expect(
      onC.frames.find((frame) => frame.type === 'provider_status' && frame.instance === 'replica-a'),
    ).toMatchObject({ provider: 'upstream', to: 'open', reason: '2 consecutive failures' });
    // C's own breaker followed A's, and says whose verdict it took.
    expect(
      onC.frames.find((frame) => frame.type === 'provider_status' && frame.instance === 'replica-c'),
    ).toMatchObject({ to: 'open', peer: 'replica-a' });
    // The same on the Sentinel-Ops socket of B, each message naming its replica.
    await expect
      .poll(() =>
        systemOnB.frames.some(
          (frame) =>
            frame.event_type === 'incident' &&
            (frame.payload as Record<string, unknown>).instance === 'replica-a',
        ),
      )
      .toBe(true);
    // One incident for the fleet (raised where the evidence was), listed by every replica.
    for (const replica of [a, b, c]) {
      const body = (await (await replica.get('/api/incidents?type=circuit_open')).json()) as {
        data: { instance: string }[];
        scope: string;
      };
      expect(body).toMatchObject({ scope: 'fleet' });
      expect(body.data.map((incident) => incident.instance)).toEqual(['replica-a']);
    }
    onC.socket.close();
    systemOnB.socket.close();
  });

  it('runs one half-open trial for the whole fleet, and every replica closes on its verdict', async () => {
    const [a, b, c] = fleet.replicas;
    if (!a || !b || !c) throw new Error('three replicas expected');
    upstream.setFaults(undefined);
    const checksBefore = upstream.stats.modelLists;
    // Recovery (2 s) runs from the same instant on every replica: traffic reaches all three at once.
    await expect
      .poll(
        async () => {
          const answers = await Promise.all([a, b, c].map((replica) => replica.chat(chatBody())));
          return answers.map((answer) => answer.status);
        },
        { interval: 200, timeout: 10_000 },
      )
      .toEqual([200, 200, 200]);
    expect(upstream.stats.modelLists - checksBefore).toBe(1);
    for (const replica of [a, b, c]) expect(await breakerState(replica, 'upstream')).toBe('closed');
  });
});
