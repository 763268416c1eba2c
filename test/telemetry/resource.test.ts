import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildResource } from '../../src/telemetry/resource.ts';

const base = { version: '1.2.3', listenPort: 8080, hostname: () => 'gw-7f9c' };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the telemetry resource', () => {
  it('defaults service.instance.id to host:port, the same on every start', () => {
    const first = buildResource(base).attributes;
    const second = buildResource(base).attributes;
    expect(first).toMatchObject({
      'service.name': 'inferwatch',
      'service.instance.id': 'gw-7f9c:8080',
      'service.version': '1.2.3',
    });
    expect(second['service.instance.id']).toBe(first['service.instance.id']);
  });

  it('tells two processes on one host apart by port', () => {
    const other = buildResource({ ...base, listenPort: 8081 }).attributes;
    expect(other['service.instance.id']).toBe('gw-7f9c:8081');
  });

  it('takes service.name from OTEL_SERVICE_NAME and the rest from OTEL_RESOURCE_ATTRIBUTES', () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'llm-gateway');
    vi.stubEnv(
      'OTEL_RESOURCE_ATTRIBUTES',
      'service.name=ignored,service.namespace=ai,service.instance.id=pod-3,cloud.region=eu-west-1,team=search%20infra',
    );
    expect(buildResource(base).attributes).toMatchObject({
      'service.name': 'llm-gateway',
      'service.namespace': 'ai',
      'service.instance.id': 'pod-3',
      'cloud.region': 'eu-west-1',
      team: 'search infra',
    });
  });

  it('lets what the config sets win over the environment, and keeps service.version its own', () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    vi.stubEnv(
      'OTEL_RESOURCE_ATTRIBUTES',
      'service.instance.id=env-id,cloud.region=us-east-1,service.version=0',
    );
    const attributes = buildResource({
      ...base,
      serviceName: 'from-config',
      instanceId: 'gateway-eu-1',
      region: 'eu-west-1',
      environment: 'production',
    }).attributes;
    expect(attributes).toMatchObject({
      'service.name': 'from-config',
      'service.instance.id': 'gateway-eu-1',
      'cloud.region': 'eu-west-1',
      'deployment.environment.name': 'production',
      'service.version': '1.2.3',
    });
  });
});
