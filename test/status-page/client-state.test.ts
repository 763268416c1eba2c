import { describe, expect, it } from 'vitest';

// The page's client modules are plain JS (checked by their own tsconfig); loaded by URL here so the
// Node-side type check does not need the DOM library.
const clientURL = (name: string) => new URL(`../../src/status-page/client/${name}`, import.meta.url).href;

interface Row {
  key: string;
  state: string;
  [field: string]: unknown;
}
interface ClientState {
  targets: Map<string, Row>;
  providerRows: Map<string, Row>;
  probes: Map<string, Row>;
  failovers: { id: string; chain: string[]; reason: string; at: string | null }[];
  configured: Map<string, string[]> | null;
  sources: Record<string, string>;
  incidents: { id: string; title: string }[];
  traffic: { requests: number } | null;
}
interface Change {
  sections: string[];
  announce?: string;
}
const state = (await import(clientURL('state.js'))) as {
  createState(): ClientState;
  applyEvent(state: ClientState, event: Record<string, unknown>): Change;
  applyHistory(state: ClientState, history: unknown): void;
  providerTableRows(state: ClientState): Row[];
  keep: number;
};
const normalize = (await import(clientURL('normalize.js'))) as {
  normalizeHistory(body: unknown): unknown;
  normalizeProviders(body: unknown): Row[];
  normalizeProbes(body: unknown): Row[];
  normalizeAnalyses(body: unknown): { id: string; summary: string; severity: string }[];
};
const socket = (await import(clientURL('socket.js'))) as {
  backoffDelay(attempt: number, random: () => number, base?: number, max?: number): number;
};

describe('status page normalizers', () => {
  it('reads the gateway body per target, with the provider row when no target has traffic yet', () => {
    const rows = normalize.normalizeProviders({
      data: [
        {
          name: 'sim-primary',
          state: 'open',
          targets: [
            {
              model: 'sim-small',
              state: 'open',
              p50Ms: 12,
              p99Ms: 40,
              successRatio: 0.5,
              inFlight: 1,
              count: 8,
            },
          ],
        },
        {
          name: 'sim-backup',
          state: 'closed',
          p50Ms: null,
          successRatio: null,
          inFlight: 0,
          queued: 3,
          targets: [],
        },
      ],
    });
    expect(rows).toEqual([
      {
        key: 'sim-primary/sim-small',
        provider: 'sim-primary',
        model: 'sim-small',
        state: 'open',
        p50Ms: 12,
        p99Ms: 40,
        successRatio: 0.5,
        inFlight: 1,
        requests: 8,
        queued: null,
      },
      {
        key: 'sim-backup/*',
        provider: 'sim-backup',
        model: '*',
        state: 'closed',
        p50Ms: null,
        p99Ms: null,
        successRatio: null,
        inFlight: 0,
        requests: null,
        queued: 3,
      },
    ]);
  });

  it.each([
    ['a bare array', [{ name: 'a', region: 'eu', state: 'up', last: { success: true, latencyMs: 5 } }]],
    [
      'a data envelope',
      { data: [{ name: 'a', region: 'eu', state: 'up', lastResult: { success: true, latencyMs: 5 } }] },
    ],
    ['a named list', { probes: [{ target: 'a', region: 'eu', status: 'up', success: true, latencyMs: 5 }] }],
  ])('reads probe targets from %s', (_label, body) => {
    const [row] = normalize.normalizeProbes(body);
    expect(row).toMatchObject({
      key: 'eu/a',
      target: 'a',
      region: 'eu',
      state: 'up',
      success: true,
      latencyMs: 5,
    });
  });

  it("applies the prober's own region to targets that do not name one", () => {
    const rows = normalize.normalizeProbes({
      region: 'eu-west-1',
      data: [
        {
          name: 'gw',
          kind: 'http',
          state: 'up',
          last: { success: false, durationMs: 7, errorType: 'timeout_total', at: 'T' },
        },
      ],
    });
    expect(rows).toEqual([
      {
        key: 'eu-west-1/gw',
        target: 'gw',
        kind: 'http',
        region: 'eu-west-1',
        state: 'up',
        success: false,
        latencyMs: 7,
        errorType: 'timeout_total',
        at: 'T',
      },
    ]);
  });

  it('turns unknown shapes into empty lists and missing fields into nulls, never throwing', () => {
    expect(normalize.normalizeProviders({ error: 'nope' })).toEqual([]);
    expect(normalize.normalizeProbes(null)).toEqual([]);
    expect(normalize.normalizeProbes([{ name: 'x' }])[0]).toMatchObject({
      region: 'local',
      success: null,
      latencyMs: null,
    });
    expect(
      normalize.normalizeAnalyses({
        data: [{ id: '1', explanation: { summary: 'disk', severity: 'critical' } }],
      }),
    ).toMatchObject([{ id: '1', summary: 'disk', severity: 'critical' }]);
  });
});

describe('status page state', () => {
  it('updates a breaker row from provider_status and announces the change', () => {
    const s = state.createState();
    const change = state.applyEvent(s, {
      type: 'provider_status',
      seq: 1,
      at: 'T1',
      provider: 'p',
      model: 'm',
      from: 'closed',
      to: 'half_open',
      reason: 'recovery elapsed',
    });
    expect(s.targets.get('p/m')?.state).toBe('half_open');
    expect(change).toEqual({ sections: ['providers'], announce: 'p/m breaker half-open: recovery elapsed' });
  });

  it('replaces the provider-level placeholder row once a target of that provider reports', () => {
    const s = state.createState();
    s.targets.set('p/*', { key: 'p/*', state: 'closed' });
    state.applyEvent(s, {
      type: 'provider_status',
      seq: 1,
      at: 'T1',
      provider: 'p',
      model: 'm',
      from: 'closed',
      to: 'open',
      reason: 'x',
    });
    expect([...s.targets.keys()]).toEqual(['p/m']);
  });

  it('ignores an event replayed after a reconnect', () => {
    const s = state.createState();
    const failover = {
      type: 'failover',
      seq: 7,
      at: 'T7',
      traceId: 't',
      requestedModel: 'x',
      from: 'a',
      to: 'b',
      reason: 'server_error',
      chain: ['a', 'b'],
    };
    state.applyEvent(s, failover);
    expect(state.applyEvent(s, { ...failover })).toEqual({ sections: [] });
    expect(s.failovers).toHaveLength(1);
  });

  it('lists a request that failed over twice once, with its whole chain and its first reason', () => {
    const s = state.createState();
    const hop = { type: 'failover', traceId: 't1', requestedModel: 'x' };
    state.applyEvent(s, {
      ...hop,
      seq: 1,
      at: 'T1',
      from: 'a',
      to: 'b',
      reason: 'server_error',
      chain: ['a', 'b'],
    });
    state.applyEvent(s, {
      ...hop,
      seq: 2,
      at: 'T2',
      from: 'b',
      to: 'c',
      reason: 'timeout_total',
      chain: ['a', 'b', 'c'],
    });
    expect(s.failovers).toEqual([
      {
        id: 't1',
        at: 'T2',
        traceId: 't1',
        requestedModel: 'x',
        chain: ['a', 'b', 'c'],
        reason: 'server_error',
      },
    ]);
  });

  it('shows one row per configured provider and model, never one for a model a client made up', () => {
    const s = state.createState();
    // Before the configured models are known, nothing: a stray row must not flash up.
    s.targets.set('p/made-up', { key: 'p/made-up', state: 'open' });
    expect(state.providerTableRows(s)).toEqual([]);
    state.applyHistory(
      s,
      normalize.normalizeHistory({
        minutes: 60,
        providers: [
          { name: 'p', models: ['m'], recent: [] },
          { name: 'q', models: [], recent: [] },
        ],
        probes: [],
        failovers: [
          { traceId: 'old', at: '2026-01-01T00:00:00Z', chain: ['p', 'q'], reason: 'server_error' },
        ],
      }),
    );
    s.targets.set('p/m', { key: 'p/m', state: 'half_open' });
    s.providerRows.set('q', { key: 'q/*', state: 'closed' });
    expect(state.providerTableRows(s).map((row) => [row.key, row.state])).toEqual([
      ['p/m', 'half_open'],
      ['q/*', 'closed'],
    ]);
    expect(s.failovers.map((row) => row.id)).toEqual(['old']);
    // An older server without /api/history: every target seen, as before.
    const old = state.createState();
    old.sources.history = 'unavailable';
    old.targets.set('p/any', { key: 'p/any', state: 'closed' });
    expect(state.providerTableRows(old).map((row) => row.key)).toEqual(['p/any']);
  });

  it('keeps lists newest first and bounded', () => {
    const s = state.createState();
    for (let seq = 1; seq <= state.keep + 5; seq += 1) {
      state.applyEvent(s, {
        type: 'incident',
        seq,
        at: `T${seq}`,
        id: `i${seq}`,
        kind: 'circuit_open',
        severity: 'warning',
        title: `t${seq}`,
        subject: 'p',
        detail: {},
      });
    }
    expect(s.incidents).toHaveLength(state.keep);
    expect(s.incidents[0]?.title).toBe(`t${state.keep + 5}`);
  });

  it('records traffic summaries and skips heartbeats and unknown types', () => {
    const s = state.createState();
    expect(
      state.applyEvent(s, {
        type: 'metrics',
        seq: 1,
        at: 'T',
        requests: 10,
        errors: 1,
        failovers: 2,
        p50Ms: 3,
        p99Ms: 9,
      }).sections,
      // The failover card shows the same counter, so it redraws too.
    ).toEqual(['traffic', 'failovers']);
    expect(s.traffic?.requests).toBe(10);
    expect(state.applyEvent(s, { type: 'heartbeat', seq: 2, at: 'T' }).sections).toEqual([]);
    expect(state.applyEvent(s, { type: 'something_new', seq: 3, at: 'T' }).sections).toEqual([]);
  });
});

describe('client state across a fleet', () => {
  const metrics = (instance: string, seq: number, at: string, requests: number, p99Ms: number) => ({
    type: 'metrics',
    instance,
    seq,
    at,
    requests,
    errors: 1,
    failovers: 0,
    p50Ms: 1,
    p99Ms,
  });

  it("adds up every replica's summary, takes the slowest latency, and drops a replica gone quiet", () => {
    const s = state.createState();
    state.applyEvent(s, metrics('a', 1, '2030-01-01T00:00:00.000Z', 10, 5));
    state.applyEvent(s, metrics('b', 1, '2030-01-01T00:00:01.000Z', 7, 9));
    expect(s.traffic).toMatchObject({ requests: 17, errors: 2, p99Ms: 9, replicas: 2 });
    state.applyEvent(s, metrics('a', 2, '2030-01-01T00:00:05.000Z', 12, 4));
    expect(s.traffic).toMatchObject({ requests: 19, replicas: 2 });
    state.applyEvent(s, metrics('a', 3, '2030-01-01T00:01:00.000Z', 13, 4));
    expect(s.traffic).toMatchObject({ requests: 13, p99Ms: 4, replicas: 1 });
  });

  it('tells apart events of two replicas that have the same sequence number and time', () => {
    const s = state.createState();
    const incident = (instance: string) => ({
      type: 'incident',
      instance,
      seq: 4,
      at: '2030-01-01T00:00:00.000Z',
      id: `i-${instance}`,
      kind: 'circuit_open',
      severity: 'warning',
      title: instance,
      subject: 'p',
      detail: {},
    });
    state.applyEvent(s, incident('a'));
    state.applyEvent(s, incident('b'));
    state.applyEvent(s, incident('b'));
    expect(s.incidents.map((row) => row.title)).toEqual(['b', 'a']);
  });
});

describe('reconnect backoff', () => {
  it.each([
    [0, 1, 500],
    [1, 1, 1000],
    [3, 1, 4000],
    [10, 1, 15_000],
    [3, 0, 100],
    [2, 0.5, 1000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(socket.backoffDelay(attempt, () => random)).toBe(expected);
  });
});
