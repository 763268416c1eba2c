import { existsSync, readFileSync } from 'node:fs';

export interface FoundSpan {
  service: string | undefined;
  name: string;
  spanId: string;
  parentSpanId: string | undefined;
}

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
  }[];
}

/** Spans of one trace from the Collector's file exporter (one OTLP/JSON export request per line). */
export function readSpans(file: string, traceId: string): FoundSpan[] {
  if (!existsSync(file)) return [];
  const found: FoundSpan[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const batch = JSON.parse(line) as OtlpTraces;
    for (const resourceSpans of batch.resourceSpans ?? []) {
      const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value
        .stringValue;
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          if (span.traceId !== traceId) continue;
          found.push({
            service,
            name: span.name,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
          });
        }
      }
    }
  }
  return found;
}
