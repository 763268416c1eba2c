// The page's state and the one place events change it. Pure (no DOM), so it is unit-tested in Node.
import { analysisRow, incidentRow, probeRow } from './normalize.js';

/**
 * @typedef {import('./normalize.js').TargetRow} TargetRow
 * @typedef {import('./normalize.js').ProbeRow} ProbeRow
 * @typedef {import('./normalize.js').AnalysisRow} AnalysisRow
 * @typedef {import('./normalize.js').IncidentRow} IncidentRow
 * @typedef {Record<string, unknown> & { type: string, seq?: number, at?: string }} BusEvent
 * @typedef {{ id: string, at: string | null, traceId: string, requestedModel: string, from: string,
 *   to: string, reason: string }} FailoverRow
 * @typedef {{ id: string, at: string | null, notifier: string, outcome: string, analysisId: string }} NotificationRow
 * @typedef {{ requests: number, errors: number, failovers: number, p50Ms: number, p99Ms: number, at: string | null }} Traffic
 * @typedef {'loading' | 'ok' | 'unavailable' | 'error' | 'locked'} Availability
 * @typedef {'providers' | 'traffic' | 'failovers' | 'incidents' | 'probes' | 'analyses' | 'notifications'} Section
 * @typedef {{ targets: Map<string, TargetRow>, probes: Map<string, ProbeRow>, failovers: FailoverRow[],
 *   incidents: IncidentRow[], analyses: AnalysisRow[], notifications: NotificationRow[], traffic: Traffic | null,
 *   sources: Record<string, Availability>, seen: Set<string> }} State
 * @typedef {{ sections: Section[], announce?: string }} Change
 */

/** How many rows each list keeps: enough to see a pattern, small enough to read on a phone. */
export const keep = 15;

/** @returns {State} */
export function createState() {
  return {
    targets: new Map(),
    probes: new Map(),
    failovers: [],
    incidents: [],
    analyses: [],
    notifications: [],
    traffic: null,
    sources: {
      providers: 'loading',
      traffic: 'loading',
      probes: 'loading',
      analyses: 'loading',
      incidents: 'loading',
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
      }),
      state: to,
    });
    return {
      sections: ['providers'],
      announce: `${key} breaker ${to.replace('_', '-')}: ${str(event.reason)}`,
    };
  },
  failover(state, event) {
    const row = {
      id: `${str(event.traceId)}:${str(event.from)}>${str(event.to)}:${str(event.seq)}`,
      at: event.at ?? null,
      traceId: str(event.traceId),
      requestedModel: str(event.requestedModel),
      from: str(event.from),
      to: str(event.to),
      reason: str(event.reason),
    };
    prepend(state.failovers, row);
    return { sections: ['failovers'], announce: `Failover from ${row.from} to ${row.to} (${row.reason})` };
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
    state.traffic = trafficFrom(event, event.at ?? null);
    return { sections: ['traffic'] };
  },
};

/**
 * Applies one bus event. The server replays recent events on every (re)connect, so an event already
 * seen (same sequence and time) changes nothing.
 * @param {State} state @param {BusEvent} event @returns {Change}
 */
export function applyEvent(state, event) {
  const identity = `${event.seq}@${event.at}`;
  if (event.seq !== undefined && state.seen.has(identity)) return { sections: [] };
  if (event.seq !== undefined) {
    state.seen.add(identity);
    if (state.seen.size > 1000) state.seen.delete(state.seen.values().next().value ?? '');
  }
  const reduce = reducers[event.type];
  return reduce ? reduce(state, event) : { sections: [] };
}
