// The only folder that imports the OpenTelemetry SDK (an upgrade stays here). `testing.ts` is imported by
// tests directly, so production code never loads the in-memory exporters.

export { startTelemetryFromConfig } from './from-config.ts';
export { hostTelemetryRegistered } from './host.ts';
export {
  createInstruments,
  type InstrumentDefinition,
  type Instruments,
  instrumentDefinitions,
  type Recorder,
} from './instruments.ts';
export { startTelemetry, type TelemetrySdk, type TelemetrySettings } from './sdk.ts';
export * as semconv from './semconv.ts';
export { createTelemetry, type Telemetry, type TelemetryParts } from './telemetry.ts';
