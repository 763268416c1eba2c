import {
  type Attributes,
  type Context,
  context,
  logs,
  type Meter,
  metrics,
  type Logger as OtelLogger,
  SeverityNumber,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createInstruments, type Instruments } from './instruments.ts';

const SCOPE = 'inferwatch';

/**
 * What features receive instead of the SDK: a tracer, the instrument recorders, an OTel logger for events,
 * and the propagator for W3C trace context. Production uses the global providers that sdk.ts registered;
 * tests pass in-memory ones (testing.ts), so no test depends on global state.
 */
export interface Telemetry {
  tracer: Tracer;
  meter: Meter;
  instruments: Instruments;
  propagator: TextMapPropagator;
  /** Opt-in (telemetry.captureContent): prompts and completions may be recorded on spans. */
  captureContent: boolean;
  /** Emits an OTel log record; never throws. */
  emitLog(
    name: string,
    body: Record<string, unknown>,
    severity?: 'info' | 'warn' | 'error',
    ctx?: Context,
  ): void;
}

export interface TelemetryParts {
  tracer?: Tracer;
  meter?: Meter;
  logger?: OtelLogger;
  propagator?: TextMapPropagator;
  captureContent?: boolean;
  onError?: (error: unknown) => void;
}

const severities = {
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
} as const;

export function createTelemetry({
  tracer = trace.getTracer(SCOPE),
  meter = metrics.getMeter(SCOPE),
  logger = logs.getLogger(SCOPE),
  propagator = new W3CTraceContextPropagator(),
  captureContent = false,
  onError = () => {},
}: TelemetryParts = {}): Telemetry {
  return {
    tracer,
    meter,
    instruments: createInstruments(meter, onError),
    propagator,
    captureContent,
    emitLog(name, body, severity = 'info', ctx = context.active()) {
      try {
        logger.emit({
          eventName: name,
          severityNumber: severities[severity],
          severityText: severity.toUpperCase(),
          body: body as Attributes,
          context: ctx,
        });
      } catch (error) {
        onError(error);
      }
    },
  };
}
