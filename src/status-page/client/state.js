// The page's state and the one place events change it. Pure (no DOM), so it is unit-tested in Node.
import { analysisRow, failoverRow, incidentRow, probeRow } from './normalize.js';

/**
 * @typedef {import('./normalize.js').TargetRow} TargetRow
 * @typedef {import('./normalize.js').ProbeRow} ProbeRow
 * @typedef {import('./normalize.js').AnalysisRow} AnalysisRow
 * @typedef {import('./normalize.js').IncidentRow} IncidentRow
 * @typedef {import('./normalize.js').FailoverRow} FailoverRow
 * @typedef {import('./normalize.js').History} History
 * @typedef {Record<string, unknown> & { type: string, seq?: number, at?: string }} BusEvent
 * @typedef {{ id: string, at: string | null, notifier: string, outcome: string, analysisId: string }} NotificationRow
 * @typedef {{ requests: number, errors: number, failovers: number, p50Ms: number, p99Ms: number, at: string | null,
 *   replicas: number }} Traffic
 * @typedef {'loading' | 'ok' | 'unavailable' | 'error' | 'locked'} Availability
 * @typedef {'providers' | 'traffic' | 'failovers' | 'incidents' | 'probes' | 'analyses' | 'notifications' | 'history'} Section
 * @typedef {{ targets: Map<string, TargetRow>, providerRows: Map<string, TargetRow>, probes: Map<string, ProbeRow>,
 *   failovers: FailoverRow[], incidents: IncidentRow[], analyses: AnalysisRow[], notifications: NotificationRow[],
 *   traffic: Traffic | null, replicaTraffic: Map<string, Traffic>, history: History | null,
 *   configured: Map<string, string[]> | null, sources: Record<string, Availability>, seen: Set<string> }} State
 * @typedef {{ sections: Section[], announce?: string }} Change
 */

/** How many rows each list keeps: enough to see a pattern, small enough to read on a phone. */
export const keep = 15;

/** @returns {State} */
export function createState() {
  return {
    targets: new Map(),
    providerRows: new Map(),
    probes: new Map(),
    failovers: [],
    incidents: [],
    analyses: [],
    notifications: [],
    traffic: null,
    history: null,
    configured: null,
    replicaTraffic: new Map(),
    sources: {
      providers: 'loading',
      traffic: 'loading',
      probes: 'loading',
      analyses: 'loading',
      incidents: 'loading',
      history: 'loading',
    },
    seen: new Set(),
  };
}

/**
 * Newest first, one row per id, bounded.
 * @template {{ id: string }} T @param {T[]} list @param {T} row
 */
function prepend(list, row) {
  const index = list.findIndex((existing) => existing.id === row.id);
  if (index >= 0) list.splice(index, 1);
  list.unshift(row);
  list.length = Math.min(list.length, keep);
}

/** @param {unknown} value */
const str = (value) => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
/** @param {unknown} value */
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * The gateway's summary, from a `metrics` event or the `gateway` entry of GET /api/metrics.
 * @param {Record<string, unknown>} summary @param {string | null} at @returns {Traffic}
 */
export function trafficFrom(summary, at) {
  return {
    requests: num(summary.requests),
    errors: num(summary.errors),
    failovers: num(summary.failovers),
    p50Ms: num(summary.p50Ms),
    p99Ms: num(summary.p99Ms),
    at,
    replicas: 1,
  };
}

/** A replica whose last summary is this much older than the newest one has stopped: it no longer counts. */
const replicaGoneMs = 30_000;

/**
 * One replica's summary joins the others' (with Redis, every replica's `metrics` events reach the page):
 * counts add up, latency is the slowest replica's, and replicas gone quiet drop out.
 * @param {State} state @param {string} instance @param {Traffic} traffic
 */
export function recordTraffic(state, instance, traffic) {
  state.replicaTraffic.set(instance, traffic);
  const times = [...state.replicaTraffic.values()].map((entry) =>
    entry.at ? Date.parse(entry.at) : Number.NaN,
  );
  const newest = Math.max(...times.filter(Number.isFinite));
  for (const [name, entry] of state.replicaTraffic) {
    const at = entry.at ? Date.parse(entry.at) : Number.NaN;
    if (Number.isFinite(at) && newest - at > replicaGoneMs) state.replicaTraffic.delete(name);
  }
  const all = [...state.replicaTraffic.values()];
  state.traffic = {
    requests: all.reduce((sum, entry) => sum + entry.requests, 0),
    errors: all.reduce((sum, entry) => sum + entry.errors, 0),
    failovers: all.reduce((sum, entry) => sum + entry.failovers, 0),
    p50Ms: Math.max(...all.map((entry) => entry.p50Ms)),
    p99Ms: Math.max(...all.map((entry) => entry.p99Ms)),
    at: traffic.at,
    replicas: all.length,
  };
}

/** Event type → how it changes the state. @type {Record<string, (state: State, event: BusEvent) => Change>} */
const reducers = {
  provider_status(state, event) {
    const provider = str(event.provider);
    const model = str(event.model) || '*';
    const key = `${provider}/${model}`;
    const existing = state.targets.get(key);
    // The provider-level row stood in for targets that had no traffic yet; this target replaces it.
    if (model !== '*') state.targets.delete(`${provider}/*`);
    const to = str(event.to);
    state.targets.set(key, {
      ...(existing ?? {
        key,
        provider,
        model,
        p50Ms: null,
        p99Ms: null,
        successRatio: null,
        inFlight: null,
        requests: null,
        queued: null,
      }),
      state: to,
    });
    return {
      sections: ['providers'],
      announce: `${key} breaker ${to.replace('_', '-')}: ${str(event.reason)}`,
    };
  },
  failover(state, event) {
    // One row per request, like the gateway's counter: a second hop of the same trace extends its chain.
    const row = failoverRow(event);
    const earlier = state.failovers.find((existing) => existing.id === row.id);
    if (earlier) row.reason = earlier.reason;
    prepend(state.failovers, row);
    return {
      sections: ['failovers'],
      announce: `Failover from ${str(event.from)} to ${str(event.to)} (${str(event.reason)})`,
    };
  },
  incident(state, event) {
    prepend(state.incidents, incidentRow(event));
    return { sections: ['incidents'], announce: `Incident: ${str(event.title)}` };
  },
  probe_result(state, event) {
    const row = probeRow(event);
    state.probes.set(row.key, row);
    return { sections: ['probes'] };
  },
  analysis(state, event) {
    prepend(state.analyses, analysisRow(event));
    return { sections: ['analyses'], announce: `Alert analysed: ${str(event.summary)}` };
  },
  notification(state, event) {
    prepend(state.notifications, {
      id: `${str(event.id)}:${str(event.outcome)}`,
      at: event.at ?? null,
      notifier: str(event.notifier),
      outcome: str(event.outcome),
      analysisId: str(event.analysisId),
    });
    return { sections: ['notifications'] };
  },
  metrics(state, event) {
    recordTraffic(state, str(event.instance) || 'local', trafficFrom(event, event.at ?? null));
    return { sections: ['traffic', 'failovers'] };
  },
};

/**
 * Applies one bus event. The server replays recent events on every (re)connect, so an event already
 * seen (same sequence and time) changes nothing.
 * @param {State} state @param {BusEvent} event @returns {Change}
 */
export function applyEvent(state, event) {
  // Sequences count per replica: with a fleet, the replica is part of who an event is.
  const identity = `${str(event.instance)}:${event.seq}@${event.at}`;
  if (event.seq !== undefined && state.seen.has(identity)) return { sections: [] };
  if (event.seq !== undefined) {
    state.seen.add(identity);
    if (state.seen.size > 1000) state.seen.delete(state.seen.values().next().value ?? '');
  }
  const reduce = reducers[event.type];
  return reduce ? reduce(state, event) : { sections: [] };
}

/**
 * The rows of the providers table. With the configured models known (GET /api/history), exactly one row
 * per configured provider and model, and one provider-level row for a provider the config names no model
 * for: a model a client made up never gets a row. Without them (an older server), every target seen.
 * @param {State} state @returns {TargetRow[]}
 */
export function providerTableRows(state) {
  if (!state.configured) {
    // Until the configured models are known, show nothing rather than a row a stray model might create.
    if (state.sources.history !== 'unavailable') return [];
    return [...state.targets.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
  /** @type {TargetRow[]} */
  const rows = [];
  for (const [provider, models] of state.configured) {
    if (models.length === 0) {
      rows.push(state.providerRows.get(provider) ?? blankRow(provider, '*'));
      continue;
    }
    for (const model of models)
      rows.push(state.targets.get(`${provider}/${model}`) ?? blankRow(provider, model));
  }
  return rows;
}

/** A configured target with no traffic yet: its breaker starts closed, its numbers are not known. @param {string} provider @param {string} model @returns {TargetRow} */
function blankRow(provider, model) {
  return {
    key: `${provider}/${model}`,
    provider,
    model,
    state: 'closed',
    p50Ms: null,
    p99Ms: null,
    successRatio: null,
    inFlight: null,
    requests: null,
    queued: null,
  };
}

/** Takes in GET /api/history: uptime series, configured models and the failed-over requests so far. @param {State} state @param {History} history */
export function applyHistory(state, history) {
  state.history = history;
  state.configured = new Map(history.providers.map((series) => [series.name, series.models]));
  // The server's list covers the time before this page opened; rows seen live since then stay on top.
  for (const row of [...history.failovers].reverse()) {
    if (!state.failovers.some((existing) => existing.id === row.id)) prepend(state.failovers, row);
  }
  state.failovers.sort((a, b) => String(b.at).localeCompare(String(a.at)));
}
