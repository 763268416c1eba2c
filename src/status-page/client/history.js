// The history section, as Gatus and Uptime Kuma users expect it: uptime over 24 h and 7 d, a bar of the
// last minutes and a latency sparkline per provider and probe target, from the server's SQLite history.
import { el, fill, scrollable, svg, table, uptime } from './dom.js';

/**
 * @typedef {import('./state.js').State} State
 * @typedef {import('./normalize.js').Series} Series
 * @typedef {import('./normalize.js').Minute} Minute
 */

const cellWidth = 3;
const height = 24;

/**
 * One cell per minute. A minute's height is its share of good checks, so failures read without colour:
 * all good is a full bar, all failed a stub; a minute without checks is a thin grey line.
 * @param {Minute[]} minutes @param {string} name
 */
export function checksBar(minutes, name) {
  const measured = minutes.filter((minute) => minute.total > 0);
  const failing = measured.filter((minute) => minute.failed > 0);
  const last = measured.at(-1);
  const label =
    measured.length === 0
      ? `${name}: no checks in the last ${minutes.length} minutes`
      : `${name}: ${measured.length} of the last ${minutes.length} minutes had checks, ${failing.length} with failures; the latest ${last && last.failed > 0 ? 'had failures' : 'was all good'}`;
  const cells = minutes.map((minute, index) => {
    const x = String(index * cellWidth);
    if (minute.total === 0)
      return svg('rect', { x, y: String(height - 2), width: '2', height: '2', class: 'cell-none' });
    const good = (minute.total - minute.failed) / minute.total;
    const tall = Math.max(3, Math.round(good * height));
    const kind =
      minute.failed === 0 ? 'cell-ok' : minute.failed === minute.total ? 'cell-down' : 'cell-partial';
    return svg(
      'rect',
      { x, y: String(height - tall), width: '2', height: String(tall), class: kind },
      svg(
        'title',
        {},
        `${minute.at.slice(11, 16)} UTC: ${minute.total - minute.failed} of ${minute.total} good`,
      ),
    );
  });
  return svg(
    'svg',
    {
      class: 'bar',
      role: 'img',
      'aria-label': label,
      viewBox: `0 0 ${minutes.length * cellWidth} ${height}`,
      width: String(minutes.length * cellWidth),
      height: String(height),
    },
    svg('title', {}, label),
    ...cells,
  );
}

/** Mean latency per minute as a line; gaps where a minute had no measurement. @param {Minute[]} minutes @param {string} name */
export function sparkline(minutes, name) {
  const values = minutes.map((minute) => minute.latencyMs);
  const known = values.filter((value) => value !== null);
  const width = minutes.length * 2;
  if (known.length === 0) return el('span', { class: 'muted' }, 'no data');
  const max = Math.max(...known, 1);
  const min = Math.min(...known);
  /** @type {string[][]} */
  const segments = [[]];
  values.forEach((value, index) => {
    if (value === null) {
      if ((segments.at(-1) ?? []).length > 0) segments.push([]);
      return;
    }
    const y = height - 2 - (value / max) * (height - 4);
    segments.at(-1)?.push(`${index * 2},${y.toFixed(1)}`);
  });
  const latest = known.at(-1) ?? 0;
  const label = `${name} latency over the last ${minutes.length} minutes: lowest ${Math.round(min)} ms, highest ${Math.round(max)} ms, latest ${Math.round(latest)} ms`;
  return svg(
    'svg',
    {
      class: 'spark',
      role: 'img',
      'aria-label': label,
      viewBox: `0 0 ${width} ${height}`,
      width: String(width),
      height: String(height),
    },
    svg('title', {}, label),
    ...segments
      .filter((points) => points.length > 0)
      .map((points) =>
        points.length === 1
          ? svg('circle', {
              cx: points[0]?.split(',')[0] ?? '0',
              cy: points[0]?.split(',')[1] ?? '0',
              r: '1.5',
              class: 'spark-dot',
            })
          : svg('polyline', { points: points.join(' '), class: 'spark-line' }),
      ),
  );
}

/** @param {Series} series @param {boolean} withKind */
function row(series, withKind) {
  const failedMinutes = series.recent.filter((minute) => minute.failed > 0).length;
  return el(
    'tr',
    { 'data-series': series.name },
    el('th', { scope: 'row' }, series.name),
    withKind ? el('td', {}, series.kind || '—') : null,
    el('td', { class: 'num', title: `${series.total24h} checks or calls in 24 h` }, uptime(series.uptime24h)),
    el('td', { class: 'num' }, uptime(series.uptime7d)),
    el(
      'td',
      { class: 'chart' },
      checksBar(series.recent, series.name),
      el('span', { class: 'muted' }, failedMinutes > 0 ? ` ${failedMinutes} min with failures` : ''),
    ),
    el('td', { class: 'chart' }, sparkline(series.recent, series.name)),
  );
}

/** @param {State} state */
export function history(state) {
  const h = state.history;
  if (!h) {
    const reasons = /** @type {Record<string, string>} */ ({
      loading: 'Loading…',
      unavailable: 'Not available from this server.',
      error: 'Could not load; retrying with the next update.',
      locked: 'Needs an API key.',
    });
    return fill('history', el('p', { class: 'empty' }, reasons[state.sources.history ?? 'loading'] ?? ''));
  }
  const recent = `Last ${h.minutes} min`;
  const tables = [];
  if (h.providers.length > 0) {
    tables.push(
      el('h3', {}, 'Providers'),
      scrollable(
        'Provider uptime table',
        table(
          'Uptime per provider: share of upstream calls that succeeded (client errors not counted)',
          ['Provider', '24 h', '7 days', recent, 'Latency'],
          h.providers.map((series) => row(series, false)),
        ),
      ),
    );
  }
  if (h.probes.length > 0) {
    tables.push(
      el('h3', {}, 'Probe targets'),
      scrollable(
        'Probe target uptime table',
        table(
          'Uptime per probe target: share of checks that passed',
          ['Target', 'Kind', '24 h', '7 days', recent, 'Latency'],
          h.probes.map((series) => row(series, true)),
        ),
      ),
    );
  }
  if (tables.length === 0)
    return fill('history', el('p', { class: 'empty' }, 'No providers or probe targets in this process.'));
  fill('history', ...tables);
}
