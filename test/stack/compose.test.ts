import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSpec } from '../../scripts/slo/spec.ts';
import { parseConfig } from '../../src/config/index.ts';
import { repoRoot } from './binaries.ts';

// Docker does not run on our machines: these tests hold docker-compose.yml to the shape that makes
// `docker compose up` work (services, health checks, mounts of files that exist). The Dockerfile's
// tests are in test/deploy/dockerfile.test.ts.
interface Service {
  image?: string;
  init?: boolean;
  ports?: string[];
  command?: string[];
  build?: unknown;
  healthcheck?: { test: string[] };
  volumes?: (string | { type: string; source?: string; target: string })[];
  configs?: { source: string; target: string }[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}
// Compose applies YAML merge keys (`<<: *service`); so must the parser.
const compose = parse(readFileSync(resolve(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
/** Services that are not long-running, with the reason they have no health check. */
const withoutHealthcheck = {
  setup: 'a one-shot job (restart: "no"); the services that need it wait for service_completed_successfully',
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

  it.each(services)('%s runs under an init process', (_, service) => {
    expect(service.init).toBe(true);
  });

  it('publishes Prometheus (remote-write receiver) and Alertmanager on loopback only, without the lifecycle API', () => {
    for (const name of ['prometheus', 'alertmanager']) {
      const service = compose.services[name] as Service;
      expect(service.ports?.length, name).toBeGreaterThan(0);
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.prometheus?.command).not.toContain('--web.enable-lifecycle');
    for (const [name, service] of services)
      for (const port of service.ports ?? [])
        expect(port, name).toMatch(/^(127\.0\.0\.1|\$\{BIND_ADDRESS:-127\.0\.0\.1\}):/);
  });

  it("keeps more Prometheus history than the SLOs' error-budget period", () => {
    const retention = compose.services.prometheus?.command
      ?.find((flag) => flag.startsWith('--storage.tsdb.retention.time='))
      ?.match(/:-(\d+)d\}$/)?.[1];
    const period = Number(loadSpec().period.replace(/d$/, ''));
    expect(Number(retention)).toBeGreaterThan(period);
  });

  it("takes Grafana's admin password from the environment, with no default", () => {
    expect(compose.services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(
      /^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/,
    );
  });

  it('keeps the Collector queues on a volume and gives Alertmanager the on-call routing key', () => {
    const collector = compose.services['otel-collector'] as Service;
    expect(collector.environment?.OTELCOL_STORAGE_DIR).toMatch(/^\/var\/lib\/otelcol\//);
    expect(collector.volumes).toContain('otelcol-data:/var/lib/otelcol');
    const alertmanager = parse(readFileSync(resolve(repoRoot, 'alerts/alertmanager.yml'), 'utf8'));
    const oncall = alertmanager.receivers.find((r: { name: string }) => r.name === 'oncall');
    expect(compose.services.alertmanager?.configs).toContainEqual({
      source: 'pagerduty_routing_key',
      target: oncall.pagerduty_configs[0].routing_key_file,
    });
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
