import { createNoopMeter, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';

/**
 * Whether the process already has an OpenTelemetry SDK: a global tracer or meter provider registered
 * through @opentelemetry/api (by the host app that embeds inferwatch, say). Starting a second SDK then
 * would replace neither (the API keeps the first registration) and would export nothing useful, so the
 * embedded runtime records on the host's providers instead.
 *
 * Only the public API is used. The registration is global across copies of the API package (a host on
 * the CommonJS build, inferwatch on the ES module one), so each check compares against what this copy
 * returns when nothing is registered.
 */
export function hostTelemetryRegistered(): { tracer: boolean; meter: boolean } {
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  // An unregistered API hands out its own proxy, whose delegate is the shared no-op provider.
  const noopTracerProvider = new ProxyTracerProvider().getDelegate();
  const tracer =
    typeof provider.getDelegate === 'function' ? provider.getDelegate() !== noopTracerProvider : true;
  const meter = metrics.getMeter('inferwatch') !== createNoopMeter();
  return { tracer, meter };
}
