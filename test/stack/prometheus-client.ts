/** The few Prometheus HTTP API calls the tests make (https://prometheus.io/docs/prometheus/latest/querying/api/). */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface AlertState {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

export interface PrometheusClient {
  /** Instant query; throws on a PromQL error so a broken expression never passes as "no data". */
  query(expr: string): Promise<Sample[]>;
  /** Range query over the last `seconds`; returns the number of series with at least one point. */
  queryRangeSeries(expr: string, seconds: number, stepSeconds?: number): Promise<number>;
  series(match: string): Promise<Record<string, string>[]>;
  alerts(): Promise<AlertState[]>;
}

async function get<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

export function createPrometheusClient(baseURL: string): PrometheusClient {
  const api = (path: string, params: Record<string, string>) =>
    `${baseURL}/api/v1/${path}?${new URLSearchParams(params)}`;
  return {
    async query(expr) {
      const data = await get<{ resultType: string; result: Sample[] | [number, string] }>(
        api('query', { query: expr }),
      );
      if (data.resultType === 'scalar') {
        return [{ metric: {}, value: data.result as [number, string] }];
      }
      return data.result as Sample[];
    },
    async queryRangeSeries(expr, seconds, stepSeconds = 1) {
      const end = Date.now() / 1000;
      const data = await get<{ result: { values: unknown[] }[] }>(
        api('query_range', {
          query: expr,
          start: String(end - seconds),
          end: String(end),
          step: String(stepSeconds),
        }),
      );
      return data.result.filter((series) => series.values.length > 0).length;
    },
    series: (match) => get<Record<string, string>[]>(api('series', { 'match[]': match })),
    async alerts() {
      const data = await get<{ alerts: AlertState[] }>(`${baseURL}/api/v1/alerts`);
      return data.alerts;
    },
  };
}
