import { hostname as osHostname } from 'node:os';
import {
  defaultResource,
  detectResources,
  type Resource,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  RES_CLOUD_REGION,
  RES_DEPLOYMENT_ENVIRONMENT,
  RES_SERVICE_INSTANCE_ID,
  RES_SERVICE_NAME,
  RES_SERVICE_VERSION,
} from './semconv.ts';

export interface ResourceSettings {
  /** Values the config sets; each wins over the OTEL_* environment, as the SDK spec ranks user input. */
  serviceName?: string | undefined;
  region?: string | undefined;
  instanceId?: string | undefined;
  environment?: string | undefined;
  version: string;
  /** The port this process serves on: with the host name, the default `service.instance.id`. */
  listenPort: number;
  hostname?: () => string;
}

export const DEFAULT_SERVICE_NAME = 'inferwatch';

/**
 * The process's resource, from lowest to highest precedence: the SDK's own attributes; inferwatch's
 * defaults (`service.name` inferwatch, `service.instance.id` host:port); `OTEL_RESOURCE_ATTRIBUTES` and
 * `OTEL_SERVICE_NAME` (the latter beating a `service.name` in the former); what the config sets; and
 * `service.version`, which only the running build knows.
 *
 * The instance id is derived, not random: it becomes Prometheus' `instance` and a label on every series,
 * so a random one per start would leave a stale set of series behind each restart. Host and port tell
 * two processes on one machine apart (a pod's host name is its own); with port 0 (the kernel picks one
 * at bind time, after the SDK starts) the process id stands in for it.
 */
export function buildResource(settings: ResourceSettings): Resource {
  const host = (settings.hostname ?? osHostname)();
  const where = settings.listenPort > 0 ? String(settings.listenPort) : `pid${process.pid}`;
  const defaults = resourceFromAttributes({
    [RES_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [RES_SERVICE_INSTANCE_ID]: `${host}:${where}`,
  });
  const fromEnvironment = detectResources({
    detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector],
  });
  const configured = resourceFromAttributes(
    definedOnly({
      [RES_SERVICE_NAME]: settings.serviceName,
      [RES_SERVICE_INSTANCE_ID]: settings.instanceId,
      [RES_CLOUD_REGION]: settings.region,
      [RES_DEPLOYMENT_ENVIRONMENT]: settings.environment,
      [RES_SERVICE_VERSION]: settings.version,
    }),
  );
  return defaultResource().merge(defaults).merge(fromEnvironment).merge(configured);
}

/** The resource's string attributes (what the start-up log and the API report). */
export function resourceStrings(resource: Resource): Record<string, string> {
  return Object.fromEntries(
    Object.entries(resource.attributes).flatMap(([key, value]) =>
      typeof value === 'string' ? [[key, value]] : [],
    ),
  );
}

const definedOnly = (attributes: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined && value !== ''));
