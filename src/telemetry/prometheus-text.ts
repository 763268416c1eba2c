import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type InstrumentDefinition, instrumentDefinitions } from './instruments.ts';
import { prometheusName } from './prometheus-names.ts';

const definitionsByName = new Map<string, InstrumentDefinition>(
  Object.values(instrumentDefinitions as Record<string, InstrumentDefinition>).map((definition) => [
    definition.name,
    definition,
  ]),
);

const labelName = (key: string) => {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
};
const labelValue = (value: unknown) =>
  String(value).replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
const number = (value: number) =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);

function labels(...sets: Attributes[]): string {
  const pairs = new Map<string, string>();
  for (const set of sets) {
    for (const [key, value] of Object.entries(set)) {
      if (value !== undefined) pairs.set(labelName(key), labelValue(value));
    }
  }
  if (pairs.size === 0) return '';
  return `{${[...pairs].map(([key, value]) => `${key}="${value}"`).join(',')}}`;
}

/** The name and type a metric gets: the instrument table's Prometheus name, as the Collector writes it. */
function identify(metric: MetricData): { name: string; type: 'counter' | 'gauge' | 'histogram' } {
  const { descriptor } = metric;
  const definition = definitionsByName.get(descriptor.name);
  const name = definition ? prometheusName(definition) : descriptor.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (metric.dataPointType === DataPointType.HISTOGRAM) return { name, type: 'histogram' };
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return { name, type: 'counter' };
  return { name, type: 'gauge' };
}

/**
 * Renders collected metrics in the Prometheus text exposition format (0.0.4). Series names are those of
 * the Collector's translation and every resource attribute becomes a label (as the Collector's
 * resource_to_telemetry_conversion does), so a scrape and the OTLP → Collector path give the same series.
 */
export function toPrometheusText({ resource, scopeMetrics }: ResourceMetrics): string {
  const resourceLabels = resource.attributes;
  const lines: string[] = [];
  const described = new Set<string>();
  for (const metric of scopeMetrics.flatMap((scope) => scope.metrics)) {
    if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) continue;
    const { name, type } = identify(metric);
    if (!described.has(name)) {
      described.add(name);
      const help = metric.descriptor.description.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    for (const point of metric.dataPoints) {
      if (metric.dataPointType !== DataPointType.HISTOGRAM) {
        lines.push(`${name}${labels(point.attributes, resourceLabels)} ${number(point.value as number)}`);
        continue;
      }
      const histogram = point.value as {
        buckets: { boundaries: number[]; counts: number[] };
        sum?: number;
        count: number;
      };
      let cumulative = 0;
      histogram.buckets.boundaries.forEach((boundary, index) => {
        cumulative += histogram.buckets.counts[index] ?? 0;
        lines.push(
          `${name}_bucket${labels(point.attributes, resourceLabels, { le: number(boundary) })} ${cumulative}`,
        );
      });
      lines.push(
        `${name}_bucket${labels(point.attributes, resourceLabels, { le: '+Inf' })} ${histogram.count}`,
      );
      lines.push(`${name}_sum${labels(point.attributes, resourceLabels)} ${number(histogram.sum ?? 0)}`);
      lines.push(`${name}_count${labels(point.attributes, resourceLabels)} ${histogram.count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
