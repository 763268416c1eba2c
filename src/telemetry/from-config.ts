import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { startTelemetry, type TelemetrySdk } from './sdk.ts';

/**
 * Starts the process's OpenTelemetry SDK from `config.telemetry` (off when no endpoint and no console):
 * the resource names the region and instance the prober uses when telemetry does not set its own, and the
 * SDK's own diagnostics (export failures) become warnings on `logger`. With `telemetry.prometheus`
 * enabled, `prometheus` resolves to the scrape URL once bound; callers await it to fail at start-up.
 */
export function startTelemetryFromConfig(config: Config, logger: Logger, version: string): TelemetrySdk {
  const sdk = startTelemetry(
    {
      otlpEndpoint: config.telemetry.otlpEndpoint,
      serviceName: config.telemetry.serviceName,
      region: config.telemetry.region ?? config.prober.region,
      instanceId: config.telemetry.instanceId ?? config.prober.instance,
      listenPort: config.server.port,
      environment: config.telemetry.environment,
      exportIntervalMs: config.telemetry.exportIntervalMs,
      console: config.telemetry.console,
      prometheus: config.telemetry.prometheus.enabled ? config.telemetry.prometheus : undefined,
    },
    version,
    {
      error: (message) => logger.warn({ otel: true }, message),
      warn: (message) => logger.warn({ otel: true }, message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
  );
  const { host, port } = config.telemetry.prometheus;
  // Named by its config key, like every other start-up failure.
  const prometheus = sdk.prometheus?.catch((error: Error) => {
    throw new Error(`telemetry.prometheus: cannot listen on ${host}:${port} (${error.message})`);
  });
  prometheus?.catch(() => {});
  return prometheus ? { ...sdk, prometheus } : sdk;
}
