import {
  type AnalysisContext,
  baseContext,
  clipLabels,
  limits,
  type RangeSummary,
  type RelatedName,
  relatedQueries,
  type SeriesPoint,
} from './context.ts';
import type { AlertGroup } from './payload.ts';
import type { AnalyzerStore } from './store.ts';

export interface GatherOptions {
  prometheusURL?: string | undefined;
  alertmanagerURL?: string | undefined;
  store: Pick<AnalyzerStore, 'history'>;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
}

type PromResult = {
  status: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
  error?: string;
};

/**
 * Builds the context for one group. Every source is optional and bounded by one deadline: a dead
 * Prometheus or Alertmanager costs at most `timeoutMs` and is named in `unavailable`, never an exception.
 */
export function createContextGatherer({
  prometheusURL,
  alertmanagerURL,
  store,
  timeoutMs,
  fetch = globalThis.fetch,
  now = Date.now,
}: GatherOptions) {
  const getJson = async (url: string, signal: AbortSignal): Promise<unknown> => {
    const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  };
  const prom = async (path: string, params: Record<string, string>, signal: AbortSignal) => {
    const body = (await getJson(
      `${prometheusURL}${path}?${new URLSearchParams(params)}`,
      signal,
    )) as PromResult;
    if (body.status !== 'success' || !body.data) throw new Error(body.error ?? 'query failed');
    return body.data.result.slice(0, limits.seriesPerQuery);
  };

  return async function gather(group: AlertGroup): Promise<AnalysisContext> {
    const nowMs = now();
    const context = baseContext(group, nowMs);
    context.history = store.history(
      group.alerts.map((alert) => alert.fingerprint),
      nowMs - 24 * 3_600_000,
      limits.history,
    );
    const signal = AbortSignal.timeout(timeoutMs);
    const tasks: Promise<void>[] = [];
    const attempt = (name: string, work: () => Promise<void>) =>
      tasks.push(
        work().catch((error: unknown) => {
          context.unavailable[name] = signal.aborted
            ? 'timeout'
            : String((error as Error).message ?? error).slice(0, 120);
        }),
      );

    if (prometheusURL) {
      const expr = context.expr;
      if (expr)
        attempt('prometheus.expr', async () => {
          const end = nowMs / 1000;
          const result = await prom(
            '/api/v1/query_range',
            { query: expr.query, start: String(end - 3600), end: String(end), step: '60' },
            signal,
          );
          expr.series = result.map((series): RangeSummary => {
            const values = (series.values ?? []).map(([, v]) => round(Number(v))).filter(Number.isFinite);
            return {
              labels: clipLabels(series.metric),
              first: values[0] ?? Number.NaN,
              last: values.at(-1) ?? Number.NaN,
              min: values.length ? Math.min(...values) : Number.NaN,
              max: values.length ? Math.max(...values) : Number.NaN,
            };
          });
        });
      for (const [name, query] of Object.entries(relatedQueries) as [RelatedName, string][])
        attempt(`prometheus.${name}`, async () => {
          const result = await prom('/api/v1/query', { query, time: String(nowMs / 1000) }, signal);
          context.related[name] = result.map(
            (series): SeriesPoint => ({
              labels: clipLabels(series.metric),
              value: round(Number(series.value?.[1])),
            }),
          );
        });
    } else context.unavailable.prometheus = 'not configured';

    if (alertmanagerURL)
      attempt('alertmanager', async () => {
        const alerts = (await getJson(
          `${alertmanagerURL}/api/v2/alerts?active=true&silenced=false&inhibited=false`,
          signal,
        )) as { labels?: Record<string, string>; fingerprint?: string }[];
        const own = new Set(group.alerts.map((alert) => alert.fingerprint));
        context.otherFiring = alerts
          .filter((alert) => alert.labels && !own.has(alert.fingerprint ?? ''))
          .slice(0, limits.otherFiring)
          .map((alert) => ({
            alertname: alert.labels?.alertname ?? '',
            labels: clipLabels(pick(alert.labels ?? {})),
          }));
      });

    await Promise.all(tasks);
    return context;
  };
}

/** Four significant digits: enough to reason with, fewer tokens, and stable for evidence checks. */
const round = (value: number) => (Number.isFinite(value) ? Number(value.toPrecision(4)) : value);
const kept = [
  'severity',
  'inferwatch_provider_name',
  'gen_ai_provider_name',
  'provider',
  'inferwatch_probe_target',
  'target',
  'region',
  'cloud_region',
  'error_type',
];
const pick = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).filter(([key]) => kept.includes(key)));
