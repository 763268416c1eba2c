import type { AnalysisContext } from './context.ts';

/** What the rules ask about a context, computed once. Every field is derived, none is fetched. */
export interface Facts {
  /** Alert names and summaries, lower-case, for the text patterns. */
  text: string;
  /** The alerts' summary annotations, verbatim, for evidence that quotes them. */
  summaries: string[];
  errorTypes: Map<string, number>;
  dominantError: string | undefined;
  providers: Set<string>;
  failingProviders: string[];
  openBreakers: string[];
  failoverRate: number;
  successRatio: number | undefined;
  rateLimitedRate: number;
  failingRegions: string[];
  healthyRegions: string[];
  minCertDays: number | undefined;
  /** Times these fingerprints resolved in the recent history: fires and clears again and again. */
  flaps: number;
}

const providerOf = (labels: Record<string, string>) => labels.inferwatch_provider_name ?? labels.provider;
const regionOf = (labels: Record<string, string>) => labels.cloud_region ?? labels.region;
const sum = (values: number[]) =>
  values.reduce((total, value) => total + (Number.isFinite(value) ? value : 0), 0);

export function deriveFacts(context: AnalysisContext): Facts {
  const { related } = context;
  const text = [
    ...context.alerts.flatMap((alert) => [
      alert.labels.alertname ?? '',
      alert.annotations.summary ?? '',
      alert.annotations.description ?? '',
    ]),
    context.group.commonLabels.alertname ?? '',
  ]
    .join(' ')
    .toLowerCase();

  const errorTypes = new Map<string, number>();
  const errorsByProvider = new Map<string, number>();
  for (const point of related.errorsByClass ?? []) {
    const type = point.labels.error_type ?? 'unknown';
    errorTypes.set(type, (errorTypes.get(type) ?? 0) + point.value);
    const provider = providerOf(point.labels);
    if (provider) errorsByProvider.set(provider, (errorsByProvider.get(provider) ?? 0) + point.value);
  }
  // An alert's own error_type label counts when Prometheus is not available.
  for (const alert of context.alerts) {
    const type = alert.labels.error_type;
    if (type && !errorTypes.has(type)) errorTypes.set(type, 0);
  }
  const dominantError = [...errorTypes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];

  const providers = new Set<string>();
  const attempts = new Map<string, number>();
  for (const point of related.attemptsByProvider ?? []) {
    const provider = providerOf(point.labels);
    if (provider) {
      providers.add(provider);
      attempts.set(provider, point.value);
    }
  }
  for (const provider of errorsByProvider.keys()) providers.add(provider);
  // Failing: at least half its attempts fail (or it has errors and no attempts series to compare with).
  const failingProviders = [...errorsByProvider.entries()]
    .filter(([provider, errors]) => errors > 0 && errors >= 0.5 * (attempts.get(provider) ?? errors))
    .map(([provider]) => provider);

  const openBreakers = (related.breakerState ?? [])
    .filter((point) => point.value >= 2)
    .map((point) => providerOf(point.labels) ?? '?');

  const regions = new Map<string, { failing: number; total: number }>();
  for (const point of related.probeByRegion ?? []) {
    const region = regionOf(point.labels) ?? 'default';
    const entry = regions.get(region) ?? { failing: 0, total: 0 };
    entry.total += 1;
    if (point.value < 1) entry.failing += 1;
    regions.set(region, entry);
  }
  const failingRegions = [...regions]
    .filter(([, r]) => r.failing > 0 && r.failing * 2 >= r.total)
    .map(([name]) => name);
  const healthyRegions = [...regions].filter(([, r]) => r.failing === 0).map(([name]) => name);

  const certDays = (related.certExpiryDays ?? []).map((point) => point.value).filter(Number.isFinite);
  const ratio = related.gatewaySuccessRatio?.[0]?.value;

  return {
    text,
    summaries: [...new Set(context.alerts.map((alert) => alert.annotations.summary ?? '').filter(Boolean))],
    errorTypes,
    dominantError,
    providers,
    failingProviders,
    openBreakers,
    failoverRate: sum((related.failovers ?? []).map((point) => point.value)),
    successRatio: ratio !== undefined && Number.isFinite(ratio) ? ratio : undefined,
    rateLimitedRate: sum((related.gatewayRateLimited ?? []).map((point) => point.value)),
    failingRegions,
    healthyRegions,
    minCertDays: certDays.length ? Math.min(...certDays) : undefined,
    flaps: context.history.filter(
      (entry) => entry.status === 'resolved' && context.nowMs - entry.atMs < 6 * 3_600_000,
    ).length,
  };
}
