// One renderer per section; each redraws its own container from the state (lists are small).
import { badge, el, fill, ms, percent, safeHref, scrollable, table, time } from './dom.js';
import { history } from './history.js';
import { providerTableRows } from './state.js';

/**
 * @typedef {import('./state.js').State} State
 * @typedef {import('./state.js').Section} Section
 * @typedef {{ grafanaURL: string | null, tracesURL: string | null, apiKeyRequired: boolean }} Settings
 */

/** Why a section is empty, by what its API said. @type {Record<string, string>} */
const emptyReasons = {
  loading: 'Loading…',
  ok: 'Nothing yet.',
  unavailable: 'Not running in this process.',
  error: 'Could not load; retrying with the next update.',
  locked: 'Needs an API key.',
};

/** @param {string} availability @param {string} [whenOk] */
const empty = (availability, whenOk) =>
  el('p', { class: 'empty' }, availability === 'ok' && whenOk ? whenOk : (emptyReasons[availability] ?? ''));

/** @param {State} state */
function providers(state) {
  const rows = providerTableRows(state);
  if (rows.length === 0) {
    const waiting = state.configured === null && state.sources.history !== 'unavailable';
    const availability = waiting
      ? (state.sources.history ?? 'loading')
      : (state.sources.providers ?? 'loading');
    return fill('providers', empty(availability, 'No providers configured.'));
  }
  fill(
    'providers',
    scrollable(
      'Providers table',
      table(
        'Provider targets with breaker state, latency and success ratio',
        ['Provider', 'Model', 'Breaker', 'p50', 'p99', 'Success', 'In flight', 'Queued'],
        rows.map((row) =>
          el(
            'tr',
            { 'data-key': row.key, 'data-state': row.state },
            el('th', { scope: 'row' }, row.provider),
            el('td', {}, row.model === '*' ? 'any (passed through)' : row.model),
            el('td', {}, badge(row.state)),
            el('td', { class: 'num' }, ms(row.p50Ms)),
            el('td', { class: 'num' }, ms(row.p99Ms)),
            el('td', { class: 'num' }, percent(row.successRatio)),
            el('td', { class: 'num' }, row.inFlight === null ? '—' : String(row.inFlight)),
            el(
              'td',
              { class: row.queued ? 'num queued' : 'num' },
              row.queued === null ? '—' : String(row.queued),
            ),
          ),
        ),
      ),
    ),
  );
}

/** @param {State} state */
function traffic(state) {
  const t = state.traffic;
  if (!t)
    return fill(
      'traffic',
      empty(state.sources.traffic ?? 'loading', 'Waiting for the gateway’s first summary.'),
    );
  /** @param {string} term @param {string} value */
  const pair = (term, value) => el('div', {}, el('dt', {}, term), el('dd', {}, value));
  fill(
    'traffic',
    el(
      'dl',
      { class: 'stats' },
      pair('Requests', String(t.requests)),
      pair('Errors', String(t.errors)),
      pair('Failovers', String(t.failovers)),
      // With no requests yet the gateway reports 0; show "no value" rather than a fake 0 ms.
      pair('p50', ms(t.requests > 0 ? t.p50Ms : null)),
      pair('p99', ms(t.requests > 0 ? t.p99Ms : null)),
      // Counts are the fleet's when several replicas report; latency is the slowest one's.
      ...(t.replicas > 1 ? [pair('Replicas', String(t.replicas))] : []),
    ),
  );
}

/**
 * The count and the list speak of the same thing: requests that failed over since the gateway started
 * (the traffic card's counter), the latest of them listed.
 * @param {State} state @param {Settings} settings
 */
function failovers(state, settings) {
  const total = state.traffic?.failovers;
  const listed = state.failovers.length;
  const summary =
    total === undefined
      ? null
      : el(
          'p',
          { class: 'muted', id: 'failover-count' },
          total === 0
            ? 'No request has failed over since the gateway started.'
            : `${total} ${total === 1 ? 'request' : 'requests'} failed over since the gateway started${listed < total ? `; the latest ${listed} below` : ''}.`,
        );
  if (listed === 0) return fill('failovers', summary ?? empty('ok', 'No failovers yet.'));
  const items = state.failovers.map((row) => {
    const href =
      settings.tracesURL?.includes('{traceId}') && row.traceId
        ? safeHref(settings.tracesURL.replace('{traceId}', encodeURIComponent(row.traceId)))
        : null;
    return el(
      'li',
      { class: 'failover' },
      time(row.at),
      ' ',
      el('strong', {}, row.chain.join(' → ')),
      el('span', { class: 'muted' }, ` ${row.reason} · ${row.requestedModel}`),
      href ? el('a', { href, rel: 'noreferrer' }, ' trace') : null,
    );
  });
  fill('failovers', summary, el('ol', { class: 'events' }, ...items));
}

/** @param {State} state */
function incidents(state) {
  if (state.incidents.length === 0)
    return fill('incidents', empty(state.sources.incidents ?? 'loading', 'No incidents.'));
  const items = state.incidents.map((row) =>
    el('li', {}, time(row.at), ' ', badge(row.severity), ' ', el('span', {}, row.title || row.kind)),
  );
  fill('incidents', el('ol', { class: 'events' }, ...items));
}

/** @param {State} state */
function probes(state) {
  const rows = [...state.probes.values()];
  if (rows.length === 0)
    return fill('probes', empty(state.sources.probes ?? 'loading', 'No probe targets configured.'));
  const regions = [...new Set(rows.map((row) => row.region))].sort();
  const groups = regions.map((region) => {
    const inRegion = rows
      .filter((row) => row.region === region)
      .sort((a, b) => a.target.localeCompare(b.target));
    return el(
      'div',
      { class: 'region' },
      el('h3', {}, region),
      scrollable(
        `Probes in ${region}`,
        table(
          `Probe targets in ${region}`,
          ['Target', 'Kind', 'State', 'Last result', 'Latency', 'Checked'],
          inRegion.map((row) =>
            el(
              'tr',
              { 'data-key': row.key },
              el('th', { scope: 'row' }, row.target),
              el('td', {}, row.kind || '—'),
              el('td', {}, badge(row.state)),
              el(
                'td',
                {},
                row.success === null ? '—' : row.success ? 'ok' : `failed: ${row.errorType ?? 'unknown'}`,
              ),
              el('td', { class: 'num' }, ms(row.latencyMs)),
              el('td', {}, time(row.at)),
            ),
          ),
        ),
      ),
    );
  });
  fill('probes', ...groups);
}

/** @param {State} state */
function analyses(state) {
  if (state.analyses.length === 0)
    return fill('analyses', empty(state.sources.analyses ?? 'loading', 'No alerts analysed yet.'));
  const items = state.analyses.map((row) =>
    el(
      'li',
      {},
      time(row.at),
      ' ',
      badge(row.status || 'firing'),
      ' ',
      el('strong', {}, `${row.severity} ${row.category}`.trim()),
      el('p', {}, row.summary),
      row.source ? el('span', { class: 'muted' }, `explained by ${row.source}`) : null,
    ),
  );
  fill('analyses', el('ol', { class: 'events' }, ...items));
}

/** @param {State} state */
function notifications(state) {
  if (state.notifications.length === 0)
    return fill('notifications', empty('ok', 'No notifications since this page opened.'));
  const items = state.notifications.map((row) =>
    el('li', {}, time(row.at), ' ', el('strong', {}, row.notifier), ' ', badge(row.outcome)),
  );
  fill('notifications', el('ol', { class: 'events' }, ...items));
}

/** Section → renderer. @type {Record<Section, (state: State, settings: Settings) => void>} */
export const renderers = {
  providers,
  traffic,
  failovers,
  incidents,
  probes,
  analyses,
  notifications,
  history,
};

/** @param {Settings} settings */
export function renderLinks(settings) {
  const nav = document.getElementById('links');
  if (!nav) return;
  const grafana = settings.grafanaURL ? safeHref(settings.grafanaURL) : null;
  const traces = settings.tracesURL ? safeHref(settings.tracesURL.replace('{traceId}', '')) : null;
  const links = [
    grafana && el('a', { href: grafana, rel: 'noreferrer' }, 'Grafana'),
    traces && el('a', { href: traces, rel: 'noreferrer' }, 'Traces'),
  ];
  nav.replaceChildren(...links.filter((link) => link !== null));
  nav.hidden = nav.childElementCount === 0;
}
