import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { startPrometheusEndpoint } from './prometheus-endpoint.ts';
import { buildResource, resourceStrings } from './resource.ts';

export interface TelemetrySettings {
  otlpEndpoint?: string | undefined;
  /** Unset: OTEL_SERVICE_NAME, a service.name in OTEL_RESOURCE_ATTRIBUTES, else inferwatch. */
  serviceName?: string | undefined;
  region?: string | undefined;
  /** Unset: a service.instance.id in OTEL_RESOURCE_ATTRIBUTES, else host:listenPort. */
  instanceId?: string | undefined;
  environment?: string | undefined;
  /** The port the process serves on, for the default service.instance.id. */
  listenPort: number;
  exportIntervalMs: number;
  console: boolean;
  /** Serve `GET /metrics` for Prometheus to scrape, beside (or instead of) OTLP. */
  prometheus?: { host: string; port: number } | undefined;
}

export interface TelemetrySdk {
  /** 'otlp', 'console' or 'off': what the first log lines tell the user. */
  mode: 'otlp' | 'console' | 'off';
  resourceAttributes: Record<string, string>;
  /** Resolves to the scrape URL once bound (rejects when its port is taken); undefined when not enabled. */
  prometheus?: Promise<string>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Exporters give up after this long so a dead Collector costs a bounded, off-path wait. */
const EXPORT_TIMEOUT_MS = 5_000;
/**
 * Spans (and log records) per export. Serialising a batch runs on the event loop: 512 gateway spans (the
 * SDK's default) take ~2.6 ms, which at a few hundred requests/s stalls about 1 % of requests by that
 * much and showed in the benchmark's p99; 128 keeps each stall under a millisecond for the same total work.
 */
const EXPORT_BATCH_SIZE = 128;

/**
 * Starts the OpenTelemetry SDK. Call it before the app is imported (main.ts does) so the global
 * providers are in place when features create their tracers and meters. Queues are bounded by the SDK's
 * batch processors (2048 spans, 2048 log records): a dead Collector drops telemetry, never requests.
 */
export function startTelemetry(
  settings: TelemetrySettings,
  version: string,
  diagLogger?: DiagLogger,
): TelemetrySdk {
  const resource = buildResource({ ...settings, version });
  const resourceAttributes = resourceStrings(resource);
  const mode = settings.otlpEndpoint ? 'otlp' : settings.console ? 'console' : 'off';
  if (mode === 'off' && !settings.prometheus) {
    return { mode, resourceAttributes, forceFlush: async () => {}, shutdown: async () => {} };
  }
  // OTel's own diagnostics (export failures) go to our logger at warn, not to stderr in bulk.
  if (diagLogger) diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  const base = settings.otlpEndpoint?.replace(/\/+$/, '');
  const pushing = mode !== 'off';
  const scrape = settings.prometheus
    ? startPrometheusEndpoint(settings.prometheus, (error) => diag.warn(`metrics scrape failed: ${error}`))
    : undefined;
  // Empty lists (scrape only) make NodeSDK register no tracer or logger provider rather than read env.
  const spanProcessors: SpanProcessor[] = !pushing
    ? []
    : [
        new BatchSpanProcessor({
          exporter: base
            ? new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS })
            : new ConsoleSpanExporter(),
          maxQueueSize: 2048,
          maxExportBatchSize: EXPORT_BATCH_SIZE,
          exportTimeoutMillis: EXPORT_TIMEOUT_MS,
        }),
      ];
  const metricReaders: IMetricReader[] = [
    ...(pushing
      ? [
          new PeriodicExportingMetricReader({
            exporter: base
              ? new OTLPMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis: EXPORT_TIMEOUT_MS })
              : new ConsoleMetricExporter(),
            exportIntervalMillis: settings.exportIntervalMs,
            exportTimeoutMillis: Math.min(EXPORT_TIMEOUT_MS, settings.exportIntervalMs),
          }),
        ]
      : []),
    ...(scrape ? [scrape.reader] : []),
  ];
  const logRecordProcessors: LogRecordProcessor[] = !pushing
    ? []
    : [
        new BatchLogRecordProcessor({
          exporter: base
            ? new OTLPLogExporter({ url: `${base}/v1/logs`, timeoutMillis: EXPORT_TIMEOUT_MS })
            : new ConsoleLogRecordExporter(),
          maxQueueSize: 2048,
          maxExportBatchSize: EXPORT_BATCH_SIZE,
          exportTimeoutMillis: EXPORT_TIMEOUT_MS,
        }),
      ];
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors,
    metricReaders,
    logRecordProcessors,
    instrumentations: [],
  });
  sdk.start();
  return {
    mode,
    resourceAttributes,
    ...(scrape ? { prometheus: scrape.listening } : {}),
    async forceFlush() {
      await Promise.allSettled([
        ...spanProcessors.map((processor) => processor.forceFlush()),
        ...metricReaders.map((reader) => reader.forceFlush()),
        ...logRecordProcessors.map((processor) => processor.forceFlush()),
      ]);
    },
    async shutdown() {
      await Promise.all([sdk.shutdown().catch(() => {}), scrape?.close()]);
    },
  };
}
