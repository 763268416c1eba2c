// Entry point: paint from the APIs, then follow /ws/events. Every API may be missing (a role that does
// not run that feature answers 404): its section then says so instead of showing an error.
import {
  normalizeAnalyses,
  normalizeHistory,
  normalizeIncidents,
  normalizeProbes,
  normalizeProviderSummaries,
  normalizeProviders,
  pick,
} from './normalize.js';
import { renderers, renderLinks } from './render.js';
import { connectEvents } from './socket.js';
import { applyEvent, applyHistory, createState, keep, recordTraffic, trafficFrom } from './state.js';

/**
 * @typedef {import('./state.js').Section} Section
 * @typedef {import('./render.js').Settings} Settings
 * @typedef {import('./state.js').Availability} Availability
 */

const state = createState();
/** @type {Settings} */
let settings = { grafanaURL: null, tracesURL: null, apiKeyRequired: false };
const keyName = 'inferwatch.apiKey';
const apiKey = () => sessionStorage.getItem(keyName) ?? '';

/** @param {string} path @returns {Promise<{ availability: Availability, body?: unknown }>} */
async function getJSON(path) {
  try {
    const key = apiKey();
    const response = await fetch(path, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      cache: 'no-store',
    });
    if (response.status === 404) return { availability: 'unavailable' };
    if (response.status === 401) return { availability: 'locked' };
    if (!response.ok) return { availability: 'error' };
    return { availability: 'ok', body: await response.json() };
  } catch {
    return { availability: 'error' };
  }
}

/**
 * Source → its endpoint, the sections it feeds, and how its body replaces the state; `apply` may say the
 * feature is absent.
 * @type {Record<string, { path: string, sections: Section[], apply: (body: unknown) => void | 'unavailable' }>}
 */
const sources = {
  providers: {
    path: '/api/providers',
    sections: ['providers'],
    apply: (body) => {
      state.targets = new Map(normalizeProviders(body).map((row) => [row.key, row]));
      state.providerRows = new Map(normalizeProviderSummaries(body).map((row) => [row.provider, row]));
    },
  },
  history: {
    path: '/api/history',
    sections: ['history', 'providers', 'failovers'],
    apply: (body) => applyHistory(state, normalizeHistory(body)),
  },
  traffic: {
    path: '/api/metrics',
    sections: ['traffic', 'failovers'],
    apply: (body) => {
      const gateway = pick(body, ['gateway']);
      if (gateway === null || typeof gateway !== 'object') return 'unavailable';
      const instance = pick(body, ['instance']);
      recordTraffic(
        state,
        typeof instance === 'string' ? instance : 'local',
        trafficFrom(/** @type {Record<string, unknown>} */ (gateway), null),
      );
    },
  },
  probes: {
    path: '/api/probes',
    sections: ['probes'],
    apply: (body) => {
      state.probes = new Map(normalizeProbes(body).map((row) => [row.key, row]));
    },
  },
  analyses: {
    path: `/api/analyses?limit=${keep}`,
    sections: ['analyses'],
    apply: (body) => {
      state.analyses = normalizeAnalyses(body).slice(0, keep);
    },
  },
  incidents: {
    path: `/api/incidents?limit=${keep}`,
    sections: ['incidents'],
    apply: (body) => {
      state.incidents = normalizeIncidents(body).slice(0, keep);
    },
  },
};

/** @param {Section} section */
const render = (section) => renderers[section](state, settings);

/** @param {string} name */
async function load(name) {
  const source = sources[name];
  if (!source) return;
  const { availability, body } = await getJSON(source.path);
  state.sources[name] = (availability === 'ok' && source.apply(body)) || availability;
  for (const section of source.sections) render(section);
  const form = document.getElementById('key-form');
  if (form && availability === 'locked') form.hidden = false;
}

const loadAll = () => Promise.all(Object.keys(sources).map(load));

// Breaker latency, success ratios and the traffic summary change with traffic; re-read them at most once
// a second after events rather than on every request.
let refreshPending = false;
const refreshLive = () => {
  if (refreshPending) return;
  refreshPending = true;
  setTimeout(() => {
    refreshPending = false;
    void load('providers');
    void load('traffic');
  }, 1000);
};

// The history moves by the minute: re-read it twice a minute, and a second after a breaker or failover.
let historyPending = false;
const refreshHistory = (delayMs = 1000) => {
  if (historyPending) return;
  historyPending = true;
  setTimeout(() => {
    historyPending = false;
    void load('history');
  }, delayMs);
};
setInterval(() => refreshHistory(0), 30_000);

/** Screen readers hear breaker changes and failovers as they happen, not the replay of old ones. @param {string} message @param {string | undefined} at */
function announce(message, at) {
  if (at && Date.now() - new Date(at).getTime() > 10_000) return;
  const region = document.getElementById('announcer');
  if (!region) return;
  region.append(Object.assign(document.createElement('p'), { textContent: message }));
  while (region.childElementCount > 3) region.firstElementChild?.remove();
}

/** @param {import('./socket.js').ConnectionState} connection @param {number} [retryInMs] */
function showConnection(connection, retryInMs) {
  const pill = document.getElementById('connection');
  if (!pill) return;
  pill.dataset.state = connection;
  pill.textContent =
    connection === 'live'
      ? 'Live'
      : retryInMs
        ? `Reconnecting in ${Math.ceil(retryInMs / 1000)} s…`
        : connection === 'reconnecting'
          ? 'Reconnecting…'
          : 'Connecting…';
}

async function main() {
  const loaded = await getJSON('/status/settings.json');
  if (loaded.availability === 'ok' && loaded.body) settings = /** @type {Settings} */ (loaded.body);
  renderLinks(settings);
  for (const section of /** @type {Section[]} */ (Object.keys(renderers))) render(section);
  void loadAll();
  let opened = 0;
  const events = connectEvents({
    url: () => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const key = apiKey();
      return `${scheme}://${location.host}/ws/events${key ? `?token=${encodeURIComponent(key)}` : ''}`;
    },
    onState: showConnection,
    // After a reconnect the APIs are the truth again (events may have been missed while away).
    onOpen: () => {
      if (opened++ > 0) void loadAll();
    },
    onEvent: (event) => {
      const change = applyEvent(state, event);
      for (const section of change.sections) render(section);
      if (change.announce) announce(change.announce, typeof event.at === 'string' ? event.at : undefined);
      if (event.type === 'provider_status' || event.type === 'failover' || event.type === 'metrics')
        refreshLive();
      if (event.type === 'provider_status' || event.type === 'failover' || event.type === 'probe_result')
        refreshHistory();
    },
  });
  document.getElementById('key-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement | null} */ (document.getElementById('key-input'));
    sessionStorage.setItem(keyName, input?.value ?? '');
    /** @type {HTMLElement} */ (event.target).hidden = true;
    void loadAll();
    events.reconnect();
  });
}

void main();
