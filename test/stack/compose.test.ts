import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { repoRoot } from './binaries.ts';

// Docker does not run on our machines: these tests hold docker-compose.yml to the shape that makes
// `docker compose up` work (services, health checks, mounts of files that exist). The Dockerfile's
// tests are in test/deploy/dockerfile.test.ts.
interface Service {
  image?: string;
  build?: unknown;
  healthcheck?: { test: string[] };
  volumes?: (string | { type: string; source?: string; target: string })[];
  configs?: { source: string; target: string }[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(resolve(repoRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
/** Images without a shell or an HTTP client inside: observed from outside instead (see the comments). */
const withoutHealthcheck = {
  'otel-collector': 'no shell in the image; health_check :13133 and InferwatchCollectorDown',
  tempo: 'no HTTP client guaranteed in the image; Grafana shows it as a datasource error',
  traffic: 'a load generator, nothing depends on it',
};

describe('docker-compose.yml', () => {
  it('runs inferwatch, the simulator, the Collector, Prometheus, Alertmanager, Grafana and Tempo', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'inferwatch',
        'simulator',
        'otel-collector',
        'prometheus',
        'alertmanager',
        'grafana',
        'tempo',
      ]),
    );
  });

  it.each(services)('%s has a health check or a stated reason not to', (name, service) => {
    if (name in withoutHealthcheck) return expect(service.healthcheck).toBeUndefined();
    expect(service.healthcheck?.test[0]).toBe('CMD');
  });

  it.each(services.filter(([, service]) => !service.build))(
    '%s pins an overridable image tag',
    (_, service) => {
      expect(service.image).toMatch(/^[\w./-]+:\$\{[A-Z_]+:-[\w.-]+\}$/);
    },
  );

  it.each(services)('%s mounts only files that exist and volumes that are declared', (_, service) => {
    for (const volume of service.volumes ?? []) {
      if (typeof volume !== 'string') continue;
      const [source] = volume.split(':') as [string];
      if (source.startsWith('.')) expect(existsSync(resolve(repoRoot, source)), source).toBe(true);
      else expect(compose.volumes).toHaveProperty(source);
    }
    for (const config of service.configs ?? []) expect(compose.configs).toHaveProperty(config.source);
    for (const dependency of Object.keys(service.depends_on ?? {}))
      expect(compose.services).toHaveProperty(dependency);
  });

  it('wires the pipeline: OTLP to the Collector, remote write to Prometheus, traces to Tempo', () => {
    const collector = compose.services['otel-collector'] as Service;
    expect(collector.environment).toMatchObject({
      OTELCOL_LISTEN_HOST: '0.0.0.0',
      PROMETHEUS_REMOTE_WRITE_URL: 'http://prometheus:9090/api/v1/write',
      TEMPO_OTLP_GRPC_ENDPOINT: 'tempo:4317',
    });
    const alertmanager = parse(readFileSync(resolve(repoRoot, 'alerts/alertmanager.yml'), 'utf8'));
    const analyzer = alertmanager.receivers.find((r: { name: string }) => r.name === 'inferwatch-analyzer');
    const webhook = analyzer.webhook_configs[0];
    expect(webhook.url).toBe('http://inferwatch:8080/api/alertmanager');
    expect(compose.services.alertmanager?.configs).toContainEqual({
      source: 'webhook_token',
      target: webhook.http_config.authorization.credentials_file,
    });
  });

  it("gives inferwatch a config that passes inferwatch's own schema and points at the pipeline", () => {
    const config = parseConfig(parse(compose.configs.inferwatch?.content ?? ''));
    expect(config.telemetry.otlpEndpoint).toBe('http://otel-collector:4318');
    expect(config.analyzer.prometheusURL).toBe('http://prometheus:9090');
    expect(config.providers.map((provider) => new URL(provider.baseURL).host)).toEqual([
      'simulator:8090',
      'simulator:8090',
    ]);
  });
});
