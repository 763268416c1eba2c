/**
 * Minimal OTLP/JSON payloads (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) for
 * exercising the Collector without an SDK: int64 as strings, ids as hex, cumulative temporality (2).
 */
type AttributeValue = string | number | boolean;
const attributes = (values: Record<string, AttributeValue>) =>
  Object.entries(values).map(([key, value]) => ({
    key,
    value:
      typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { boolValue: value }
          : { doubleValue: value },
  }));

const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

export type OtlpMetric =
  | { name: string; unit: string; kind: 'gauge'; value: number; attributes?: Record<string, AttributeValue> }
  | {
      name: string;
      unit: string;
      kind: 'counter';
      value: number;
      attributes?: Record<string, AttributeValue>;
    }
  | {
      name: string;
      unit: string;
      kind: 'histogram';
      bounds: number[];
      counts: number[];
      sum: number;
      attributes?: Record<string, AttributeValue>;
    };

export function metricsPayload(
  resource: Record<string, AttributeValue>,
  metrics: OtlpMetric[],
  now = Date.now(),
) {
  const point = (metric: OtlpMetric) => ({
    attributes: attributes(metric.attributes ?? {}),
    startTimeUnixNano: nanos(now - 60_000),
    timeUnixNano: nanos(now),
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes(resource) },
        scopeMetrics: [
          {
            scope: { name: 'inferwatch-stack-test' },
            metrics: metrics.map((metric) => {
              const base = { name: metric.name, unit: metric.unit };
              if (metric.kind === 'gauge') {
                return { ...base, gauge: { dataPoints: [{ ...point(metric), asDouble: metric.value }] } };
              }
              if (metric.kind === 'counter') {
                const dataPoints = [{ ...point(metric), asDouble: metric.value }];
                return { ...base, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } };
              }
              const dataPoints = [
                {
                  ...point(metric),
                  count: String(metric.counts.reduce((a, b) => a + b, 0)),
                  sum: metric.sum,
                  bucketCounts: metric.counts.map(String),
                  explicitBounds: metric.bounds,
                },
              ];
              return { ...base, histogram: { aggregationTemporality: 2, dataPoints } };
            }),
          },
        ],
      },
    ],
  };
}

export function spanPayload(
  resource: Record<string, AttributeValue>,
  span: { traceId: string; spanId: string; name: string; attributes?: Record<string, AttributeValue> },
  now = Date.now(),
) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [
          {
            scope: { name: 'inferwatch-stack-test' },
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                name: span.name,
                kind: 3, // CLIENT
                startTimeUnixNano: nanos(now - 250),
                endTimeUnixNano: nanos(now),
                attributes: attributes(span.attributes ?? {}),
                status: {},
              },
            ],
          },
        ],
      },
    ],
  };
}

export async function postOtlp(baseURL: string, signal: 'metrics' | 'traces', payload: unknown) {
  const response = await fetch(`${baseURL}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  if (!response.ok) throw new Error(`POST /v1/${signal}: ${response.status} ${await response.text()}`);
}
