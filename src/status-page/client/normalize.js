// Turns API bodies into the rows the page shows. The feature APIs evolve independently of this page, so
// each field is read from the first of a few plausible places (a table per row kind) and anything
// missing becomes null: a new or renamed field shows as "—", never as a broken page.

/**
 * @typedef {{ key: string, provider: string, model: string, state: string, p50Ms: number | null,
 *   p99Ms: number | null, successRatio: number | null, inFlight: number | null, requests: number | null,
 *   queued: number | null }} TargetRow
 * @typedef {{ key: string, target: string, kind: string, region: string, state: string,
 *   success: boolean | null, latencyMs: number | null, errorType: string | null, at: string | null }} ProbeRow
 * @typedef {{ id: string, at: string | null, status: string, severity: string, category: string,
 *   summary: string, source: string }} AnalysisRow
 * @typedef {{ id: string, at: string | null, kind: string, severity: string, title: string }} IncidentRow
 * @typedef {{ id: string, at: string | null, traceId: string, requestedModel: string, chain: string[],
 *   reason: string }} FailoverRow
 * @typedef {{ at: string, total: number, failed: number, latencyMs: number | null }} Minute
 * @typedef {{ name: string, kind: string, models: string[], uptime24h: number | null, uptime7d: number | null,
 *   total24h: number, recent: Minute[] }} Series
 * @typedef {{ minutes: number, providers: Series[], probes: Series[], failovers: FailoverRow[] }} History
 */

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The value at the first dotted path that is defined. @param {unknown} source @param {readonly string[]} paths */
export function pick(source, paths) {
  for (const path of paths) {
    /** @type {unknown} */
    let value = source;
    for (const part of path.split('.')) value = isRecord(value) ? value[part] : undefined;
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
/** @param {unknown} value */
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
/** @param {unknown} value */
const bool = (value) => (typeof value === 'boolean' ? value : null);

/** The list in a body: the body itself, or its `data` / named array. @param {unknown} body @param {string} name */
export function listIn(body, name) {
  if (Array.isArray(body)) return body;
  const list = pick(body, ['data', name, 'items']);
  return Array.isArray(list) ? list : [];
}

/** Field → where it may live, first match wins. */
const targetFields = {
  state: ['state', 'breaker.state', 'breakerState', 'breaker', 'circuit.state', 'circuit'],
  p50Ms: ['p50Ms', 'latency.p50Ms', 'stats.p50Ms', 'latencyMs.p50'],
  p99Ms: ['p99Ms', 'latency.p99Ms', 'stats.p99Ms', 'latencyMs.p99'],
  successRatio: ['successRatio', 'stats.successRatio', 'successRate', 'stats.successRate'],
  inFlight: ['inFlight', 'stats.inFlight'],
  requests: ['requests', 'count', 'stats.count', 'stats.requests'],
};

/** @param {unknown} body @returns {TargetRow[]} */
export function normalizeProviders(body) {
  /** @type {TargetRow[]} */
  const rows = [];
  for (const item of listIn(body, 'providers')) {
    const provider = text(pick(item, ['name', 'provider']));
    const targets = pick(item, ['targets']);
    for (const target of Array.isArray(targets) && targets.length > 0 ? targets : [item]) {
      const model = text(pick(target, ['model', 'upstreamModel'])) || '*';
      const name = text(pick(target, ['provider'])) || provider;
      rows.push({
        key: `${name}/${model}`,
        provider: name,
        model,
        state: text(pick(target, targetFields.state)) || 'unknown',
        p50Ms: num(pick(target, targetFields.p50Ms)),
        p99Ms: num(pick(target, targetFields.p99Ms)),
        successRatio: num(pick(target, targetFields.successRatio)),
        inFlight: num(pick(target, targetFields.inFlight)),
        requests: num(pick(target, targetFields.requests)),
        // Requests waiting for a slot belong to the provider (its maxConnections), shown on each of its rows.
        queued: num(pick(item, ['queued', 'pool.queued'])),
      });
    }
  }
  return rows;
}

/** @param {unknown} item @param {string} [defaultRegion] @returns {ProbeRow} */
export function probeRow(item, defaultRegion = 'local') {
  const target = text(pick(item, ['target', 'name']));
  const region = text(pick(item, ['region', 'last.region', 'lastResult.region'])) || defaultRegion;
  return {
    key: `${region}/${target}`,
    target,
    kind: text(pick(item, ['kind', 'last.kind', 'lastResult.kind'])),
    region,
    state: text(pick(item, ['state', 'status'])) || 'unknown',
    success: bool(pick(item, ['success', 'last.success', 'lastResult.success', 'ok', 'last.ok'])),
    latencyMs: num(
      pick(item, ['latencyMs', 'durationMs', 'last.latencyMs', 'last.durationMs', 'lastResult.latencyMs']),
    ),
    errorType:
      text(pick(item, ['errorType', 'last.errorType', 'lastResult.errorType', 'error.type'])) || null,
    at: text(pick(item, ['last.at', 'lastResult.at', 'at', 'checkedAt', 'lastCheckedAt'])) || null,
  };
}

/** The prober answers `{ region, data: [...] }`: its region applies to rows that do not name one. @param {unknown} body */
export function normalizeProbes(body) {
  const region = text(pick(body, ['region'])) || 'local';
  return listIn(body, 'probes').map((item) => probeRow(item, region));
}

/** @param {unknown} item @returns {AnalysisRow} */
export function analysisRow(item) {
  return {
    id: text(pick(item, ['id'])),
    at: text(pick(item, ['at', 'createdAt', 'updatedAt'])) || null,
    status: text(pick(item, ['status'])),
    severity: text(pick(item, ['severity', 'explanation.severity'])),
    category: text(pick(item, ['category', 'explanation.category'])),
    summary: text(
      pick(item, ['summary', 'explanation.summary', 'probableCause', 'explanation.probableCause']),
    ),
    source: text(pick(item, ['source', 'explanation.source'])),
  };
}

/** @param {unknown} body */
export const normalizeAnalyses = (body) => listIn(body, 'analyses').map(analysisRow);

/** @param {unknown} item @returns {IncidentRow} */
export function incidentRow(item) {
  return {
    id: text(pick(item, ['id'])),
    at: text(pick(item, ['at'])) || null,
    kind: text(pick(item, ['kind'])),
    severity: text(pick(item, ['severity'])),
    title: text(pick(item, ['title'])),
  };
}

/** @param {unknown} body */
export const normalizeIncidents = (body) => listIn(body, 'incidents').map(incidentRow);

/** Provider-level rows (the provider's worst breaker and slowest target), keyed `provider/*`. @param {unknown} body @returns {TargetRow[]} */
export function normalizeProviderSummaries(body) {
  return listIn(body, 'providers').map((item) => {
    const provider = text(pick(item, ['name', 'provider']));
    return {
      key: `${provider}/*`,
      provider,
      model: '*',
      state: text(pick(item, targetFields.state)) || 'unknown',
      p50Ms: num(pick(item, targetFields.p50Ms)),
      p99Ms: num(pick(item, targetFields.p99Ms)),
      successRatio: num(pick(item, targetFields.successRatio)),
      inFlight: num(pick(item, targetFields.inFlight)),
      requests: null,
      queued: num(pick(item, ['queued', 'pool.queued'])),
    };
  });
}

/** A failed-over request, from a `failover` event or GET /api/history. @param {unknown} item @returns {FailoverRow} */
export function failoverRow(item) {
  const traceId = text(pick(item, ['traceId']));
  const chain = pick(item, ['chain']);
  const hops = Array.isArray(chain) ? chain.map(text).filter(Boolean) : [];
  return {
    id: traceId || `${text(pick(item, ['seq']))}@${text(pick(item, ['at']))}`,
    at: text(pick(item, ['at'])) || null,
    traceId,
    requestedModel: text(pick(item, ['requestedModel'])),
    chain: hops.length > 0 ? hops : [text(pick(item, ['from'])), text(pick(item, ['to']))].filter(Boolean),
    reason: text(pick(item, ['reason'])),
  };
}

/** @param {unknown} item @returns {Series} */
function seriesRow(item) {
  const recent = pick(item, ['recent']);
  const models = pick(item, ['models']);
  return {
    name: text(pick(item, ['name'])),
    kind: text(pick(item, ['kind'])),
    models: Array.isArray(models) ? models.map(text).filter(Boolean) : [],
    uptime24h: num(pick(item, ['uptime24h'])),
    uptime7d: num(pick(item, ['uptime7d'])),
    total24h: num(pick(item, ['total24h'])) ?? 0,
    recent: (Array.isArray(recent) ? recent : []).map((minute) => ({
      at: text(pick(minute, ['at'])),
      total: num(pick(minute, ['total'])) ?? 0,
      failed: num(pick(minute, ['failed'])) ?? 0,
      latencyMs: num(pick(minute, ['latencyMs'])),
    })),
  };
}

/** GET /api/history. @param {unknown} body @returns {History} */
export function normalizeHistory(body) {
  const list = (/** @type {string} */ name) => {
    const value = pick(body, [name]);
    return Array.isArray(value) ? value : [];
  };
  return {
    minutes: num(pick(body, ['minutes'])) ?? 60,
    providers: list('providers').map(seriesRow),
    probes: list('probes').map(seriesRow),
    failovers: list('failovers').map(failoverRow),
  };
}
