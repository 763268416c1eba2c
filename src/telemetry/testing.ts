import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createTelemetry, type Telemetry } from './telemetry.ts';

let contextManagerInstalled = false;

/**
 * Real SDK providers with in-memory exporters, for asserting span trees, metric names and attributes.
 * Nothing is registered globally except an AsyncLocalStorage context manager (idempotent), which the
 * production SDK registers too.
 */
export interface TestTelemetry extends Telemetry {
  spans(): ReadableSpan[];
  /** Collects and returns every metric currently held, flattened across scopes. */
  collectMetrics(): Promise<MetricData[]>;
  logRecords(): { eventName?: string | undefined; body: unknown }[];
  reset(): void;
}

export function createTestTelemetry({ captureContent = false } = {}): TestTelemetry {
  if (!contextManagerInstalled) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
  });
  const telemetry = createTelemetry({
    tracer: tracerProvider.getTracer('inferwatch'),
    meter: meterProvider.getMeter('inferwatch'),
    logger: loggerProvider.getLogger('inferwatch'),
    captureContent,
  });
  return {
    ...telemetry,
    spans: () => spanExporter.getFinishedSpans(),
    async collectMetrics() {
      metricExporter.reset();
      await reader.forceFlush();
      return metricExporter
        .getMetrics()
        .flatMap((resourceMetrics) => resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics));
    },
    logRecords: () =>
      logExporter
        .getFinishedLogRecords()
        .map((record) => ({ eventName: record.eventName, body: record.body })),
    reset() {
      spanExporter.reset();
      logExporter.reset();
    },
  };
}
