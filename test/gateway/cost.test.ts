import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedKeyName } from '../../src/config/index.ts';
import { type Listening, listen } from '../../src/http/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import {
  chatBody,
  fastProvider,
  type GatewayUnderTest,
  metricPoints,
  sseData,
  startGateway,
} from './harness.ts';

const searchKey = 'sk-search-7f3a9c1e5b';
const plainKey = 'sk-plain-2d8e4b6a0c';
const plainName = derivedKeyName(plainKey);

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;
const logLines: string[] = [];

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  const logger = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  gateway = await startGateway(
    {
      server: { apiKeys: [{ name: 'team-search', key: searchKey }, plainKey] },
      analyzer: { enabled: false },
      providers: [
        fastProvider('sim', `${upstream.url}/sim/v1`, {
          // sim-large has no price: it reports tokens only.
          pricing: { 'sim-small': { inputPerMillion: 2, outputPerMillion: 10 } },
        }),
      ],
      routes: [{ model: '*', targets: [{ provider: 'sim' }] }],
    },
    { logger },
  );
});
afterAll(async () => {
  await gateway.stop();
  simulator.close();
  await upstream.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
/** One prompt token ("hi") and twelve output tokens at $2 and $10 per million. */
const smallCost = (1 * 2 + 12 * 10) / 1_000_000;

describe('who spends what', () => {
  it('counts cost by provider, model and client name, for priced models only', async () => {
    await (await gateway.post('/v1/chat/completions', chatBody('sim-small'), as(searchKey))).json();
    await sseData(
      await gateway.post('/v1/chat/completions', chatBody('sim-small', { stream: true }), as(searchKey)),
    );
    await sseData(
      await gateway.post('/v1/chat/completions', chatBody('sim-small', { stream: true }), as(plainKey)),
    );
    await sseData(
      await gateway.post('/v1/chat/completions', chatBody('sim-large', { stream: true }), as(plainKey)),
    );

    const cost = await metricPoints(gateway, 'inferwatch.gateway.cost.usd');
    const byClient = Object.fromEntries(
      cost.map((point) => [
        `${point.attributes['inferwatch.client']}/${point.attributes['gen_ai.request.model']}`,
        point.value as number,
      ]),
    );
    expect(Object.keys(byClient).sort()).toEqual([`${plainName}/sim-small`, 'team-search/sim-small']);
    expect(byClient['team-search/sim-small']).toBeCloseTo(2 * smallCost, 12);
    expect(byClient[`${plainName}/sim-small`]).toBeCloseTo(smallCost, 12);

    // The unpriced model still reports its tokens, labelled with the client.
    const tokens = await metricPoints(gateway, 'gen_ai.client.token.usage');
    const large = tokens.filter((point) => point.attributes['gen_ai.request.model'] === 'sim-large');
    expect(large.map((point) => point.attributes['inferwatch.client'])).toEqual([plainName, plainName]);

    const requests = await metricPoints(gateway, 'inferwatch.gateway.requests');
    expect(new Set(requests.map((point) => point.attributes['inferwatch.client']))).toEqual(
      new Set(['team-search', plainName]),
    );
  });

  it('sums tokens and cost in /api/metrics, by client and by provider/model', async () => {
    const summary = (await (
      await fetch(`${gateway.url}/api/metrics`, { headers: as(searchKey) })
    ).json()) as {
      gateway: { usage: Record<string, Record<string, Record<string, number>>> };
    };
    const usage = summary.gateway.usage;
    expect(usage.byClient?.['team-search']).toMatchObject({ attempts: 2, inputTokens: 2, outputTokens: 24 });
    expect(usage.byClient?.['team-search']?.costUsd).toBeCloseTo(2 * smallCost, 9);
    expect(usage.byModel?.['sim/sim-large']).toMatchObject({ attempts: 1, outputTokens: 12, costUsd: 0 });
    expect(usage.total).toMatchObject({ attempts: 4, outputTokens: 48, estimated: 0 });
    expect(usage.total?.costUsd).toBeCloseTo(3 * smallCost, 9);
  });

  it('never puts a key in a metric label, a span, a log line or an API answer', async () => {
    // A wrong key too: refused, and not echoed anywhere either.
    const refused = await gateway.post('/v1/chat/completions', chatBody('sim-small'), as('sk-wrong-9e1d'));
    expect(refused.status).toBe(401);
    const metrics = await gateway.telemetry.collectMetrics();
    const labels = JSON.stringify(
      metrics.flatMap((metric) => metric.dataPoints.map((point) => point.attributes)),
    );
    const spans = JSON.stringify(
      gateway.telemetry
        .spans()
        .map((span) => ({ attributes: span.attributes, events: span.events, name: span.name })),
    );
    const answers = await Promise.all(
      ['/api/metrics', '/api/providers', '/api/incidents'].map(async (path) =>
        (await fetch(`${gateway.url}${path}`, { headers: as(searchKey) })).text(),
      ),
    );
    const everything = [labels, spans, ...logLines, ...answers].join('\n');
    expect(everything).toContain('team-search');
    for (const secret of [searchKey, plainKey, 'sk-wrong-9e1d']) expect(everything).not.toContain(secret);
  });
});
