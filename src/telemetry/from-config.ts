import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { startTelemetry, type TelemetrySdk } from './sdk.ts';

/**
 * Starts the process's OpenTelemetry SDK from `config.telemetry` (off when no endpoint and no console):
 * the resource names the region and instance the prober uses when telemetry does not set its own, and the
 * SDK's own diagnostics (export failures) become warnings on `logger`.
 */
export function startTelemetryFromConfig(config: Config, logger: Logger, version: string): TelemetrySdk {
  return startTelemetry(
    {
      otlpEndpoint: config.telemetry.otlpEndpoint,
      serviceName: config.telemetry.serviceName,
      region: config.telemetry.region ?? config.prober.region,
      instanceId: config.telemetry.instanceId ?? config.prober.instance,
      environment: config.telemetry.environment,
      exportIntervalMs: config.telemetry.exportIntervalMs,
      console: config.telemetry.console,
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
}
