import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { readmeBlock } from '../docs/readme-blocks.ts';
import { repoRoot } from '../stack/binaries.ts';
import { assertHelm, type Container, chartPath, helmPath, type K8sObject, parseManifests } from './helm.ts';

// The chart is rendered by a real Helm (built from its Go module by scripts/build-helm.sh); no cluster
// runs here, so these tests hold the rendered objects to what a cluster needs and feed the rendered
// config to inferwatch's own loader, as each pod would read it.
const workspace = mkdtempSync(join(tmpdir(), 'inferwatch-helm-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const helm = (...args: string[]) => execFileSync(helmPath, args, { encoding: 'utf8', stdio: 'pipe' });
const render = (...sets: string[]) =>
  parseManifests(helm('template', 'inferwatch', chartPath, ...sets.flatMap((set) => ['--set', set])));

const find = (objects: K8sObject[], kind: string, name: string) => {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object)
    throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return object;
};
const container = (deployment: K8sObject): Container =>
  deployment.spec?.template?.spec.containers[0] as Container;

let objects: K8sObject[] = [];
beforeAll(() => {
  assertHelm();
  objects = render();
});

describe('deploy/helm/inferwatch', () => {
  it('passes `helm lint --strict`', () => {
    expect(helm('lint', chartPath, '--strict')).toContain('0 chart(s) failed');
  });

  it('renders the gateway, one prober per region, the analyzer and their plumbing', () => {
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual([
      'ConfigMap/inferwatch-config',
      'Deployment/inferwatch-analyzer',
      'Deployment/inferwatch-gateway',
      'Deployment/inferwatch-prober-eu-west-1',
      'Deployment/inferwatch-prober-us-east-1',
      'HorizontalPodAutoscaler/inferwatch-gateway',
      'PodDisruptionBudget/inferwatch-gateway',
      'Service/inferwatch-analyzer',
      'Service/inferwatch-gateway',
    ]);
    expect(container(find(objects, 'Deployment', 'inferwatch-gateway')).args[0]).toBe('gateway');
    expect(container(find(objects, 'Deployment', 'inferwatch-analyzer')).args[0]).toBe('analyzer');
    for (const region of ['eu-west-1', 'us-east-1']) {
      const prober = find(objects, 'Deployment', `inferwatch-prober-${region}`);
      expect(container(prober).args[0]).toBe('probe');
      expect(container(prober).env).toContainEqual({ name: 'INFERWATCH_REGION', value: region });
      expect(prober.spec?.replicas).toBe(1);
    }
  });

  it('probes /ready and /health, and gives shutdown its grace after a preStop pause', () => {
    const config = parse(find(objects, 'ConfigMap', 'inferwatch-config').data?.['inferwatch.yaml'] ?? '');
    for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
      const pod = deployment.spec?.template?.spec;
      const main = container(deployment);
      expect(main.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(main.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      const preStopSeconds = Number(main.lifecycle.preStop.exec.command[1]);
      expect(preStopSeconds).toBeGreaterThan(0);
      // SIGKILL must not come before the pause plus server.shutdownGraceMs are over.
      expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(
        preStopSeconds + config.server.shutdownGraceMs / 1000,
      );
    }
    const grace = render('shutdownGraceMs=30000', 'preStopSleepSeconds=10');
    const gateway = find(grace, 'Deployment', 'inferwatch-gateway');
    expect(gateway.spec?.template?.spec.terminationGracePeriodSeconds).toBe(45);
    const graceConfig = parse(find(grace, 'ConfigMap', 'inferwatch-config').data?.['inferwatch.yaml'] ?? '');
    expect(graceConfig.server.shutdownGraceMs).toBe(30_000);
  });

  it('runs as non-root on a read-only root filesystem, writing only the SQLite store (and /tmp)', () => {
    for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
      const pod = deployment.spec?.template?.spec;
      const main = container(deployment);
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(main.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(main.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      expect(main.volumeMounts).toContainEqual({
        name: 'config',
        mountPath: '/etc/inferwatch',
        readOnly: true,
      });
      expect(pod?.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    }
  });

  it('sizes requests from the benchmarks and scales the gateway on CPU within a disruption budget', () => {
    const gateway = container(find(objects, 'Deployment', 'inferwatch-gateway'));
    expect(gateway.resources).toEqual({
      requests: { cpu: '500m', memory: '384Mi' },
      limits: { memory: '768Mi' },
    });
    expect(container(find(objects, 'Deployment', 'inferwatch-prober-eu-west-1')).resources.requests).toEqual({
      cpu: '100m',
      memory: '256Mi',
    });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'inferwatch-gateway');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'inferwatch-gateway' },
      minReplicas: 2,
      metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
    });
    // Autoscaled: the Deployment leaves the replica count to the HPA.
    expect(find(objects, 'Deployment', 'inferwatch-gateway').spec?.replicas).toBeUndefined();
    expect(find(objects, 'PodDisruptionBudget', 'inferwatch-gateway').spec).toMatchObject({
      minAvailable: 1,
    });
    const fixed = render('gateway.autoscaling.enabled=false', 'gateway.replicas=3');
    expect(fixed.some((object) => object.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(find(fixed, 'Deployment', 'inferwatch-gateway').spec?.replicas).toBe(3);
  });

  it('takes secrets from a Secret as environment variables, its own or an existing one', () => {
    expect(container(find(objects, 'Deployment', 'inferwatch-gateway')).envFrom).toEqual([
      { secretRef: { name: 'inferwatch-env', optional: true } },
    ]);
    const own = render('secret.values.OPENAI_API_KEY=sk-test');
    expect(find(own, 'Secret', 'inferwatch-env').stringData).toEqual({ OPENAI_API_KEY: 'sk-test' });
    expect(container(find(own, 'Deployment', 'inferwatch-gateway')).envFrom?.[0]?.secretRef.optional).toBe(
      false,
    );
    const existing = render('secret.existingSecret=team-llm-keys');
    expect(existing.some((object) => object.kind === 'Secret')).toBe(false);
    expect(container(find(existing, 'Deployment', 'inferwatch-analyzer')).envFrom).toEqual([
      { secretRef: { name: 'team-llm-keys', optional: false } },
    ]);
  });

  it('keeps the analyzer store on a volume claim when persistence is on', () => {
    const persistent = render('analyzer.persistence.enabled=true');
    expect(find(persistent, 'PersistentVolumeClaim', 'inferwatch-analyzer-data').spec).toMatchObject({
      resources: { requests: { storage: '1Gi' } },
    });
    expect(find(persistent, 'Deployment', 'inferwatch-analyzer').spec?.template?.spec.volumes).toContainEqual(
      {
        name: 'data',
        persistentVolumeClaim: { claimName: 'inferwatch-analyzer-data' },
      },
    );
  });

  it('scrapes every pod through a PodMonitor, or the gateway through a ServiceMonitor, with metrics on', () => {
    const scraped = render('metrics.enabled=true', 'serviceMonitor.enabled=true', 'podMonitor.enabled=true');
    const file = join(workspace, 'scraped.yaml');
    writeFileSync(file, find(scraped, 'ConfigMap', 'inferwatch-config').data?.['inferwatch.yaml'] ?? '');
    expect(loadConfig({ file, env: {} }).config.telemetry.prometheus).toEqual({
      enabled: true,
      host: '0.0.0.0',
      port: 9464,
    });
    for (const deployment of scraped.filter((object) => object.kind === 'Deployment')) {
      expect(container(deployment).ports).toContainEqual({ name: 'metrics', containerPort: 9464 });
    }
    expect(find(scraped, 'Service', 'inferwatch-gateway').spec?.ports).toContainEqual({
      name: 'metrics',
      port: 9464,
      targetPort: 'metrics',
    });
    expect(find(scraped, 'ServiceMonitor', 'inferwatch-gateway').spec).toMatchObject({
      selector: { matchLabels: { 'app.kubernetes.io/component': 'gateway' } },
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    });
    const podMonitor = find(scraped, 'PodMonitor', 'inferwatch').spec as {
      selector: { matchLabels: Record<string, string> };
    };
    // No component in the selector: the probers and the analyzer are scraped too.
    expect(podMonitor.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'inferwatch',
      'app.kubernetes.io/instance': 'inferwatch',
    });
    expect(() => render('serviceMonitor.enabled=true')).toThrow(/set metrics\.enabled=true/);
  });

  it("renders a config that inferwatch's own loader accepts, as each pod reads it", () => {
    const file = join(workspace, 'inferwatch.yaml');
    writeFileSync(file, find(objects, 'ConfigMap', 'inferwatch-config').data?.['inferwatch.yaml'] ?? '');
    const env = {
      POD_NAME: 'inferwatch-prober-eu-west-1-7d9f-abcde',
      INFERWATCH_REGION: 'eu-west-1',
      OPENAI_API_KEY: 'sk-test',
      INFERWATCH_WEBHOOK_TOKEN: 'hook-token',
    };
    const { config } = loadConfig({ file, env });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080, shutdownGraceMs: 10_000 });
    expect(config.store.path).toBe('/data/inferwatch.db');
    expect(config.telemetry.instanceId).toBe(env.POD_NAME);
    expect(config.prober.region).toBe('eu-west-1');
    expect(config.providers[0]?.apiKey).toBe('sk-test');
    // And through the CLI, with nothing set, as `inferwatch check-config` in a pod without the Secret.
    const checked = execFileSync(
      process.execPath,
      [resolve(repoRoot, 'src/main.ts'), 'check-config', '--config', file],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      },
    );
    expect(checked).toMatch(
      /^config OK \(.*inferwatch\.yaml\): 1 provider, 1 route, 1 probe target, 1 notifier/,
    );
  });
});

describe("README's Helm block", () => {
  it('renders with `helm template` in place of `helm install` (the docker lines need a Docker engine)', () => {
    const [build = '', push = '', install = '', ...rest] = readmeBlock('helm');
    expect(rest).toEqual([]);
    const tag = /^docker build -t (\S+) \.$/.exec(build)?.[1];
    expect(tag).toBe('registry.example.com/inferwatch:0.1.0');
    expect(push).toBe(`docker push ${tag}`);
    expect(install).toMatch(/^helm install inferwatch deploy\/helm\/inferwatch /);
    const rendered = execFileSync(
      'bash',
      ['-euo', 'pipefail', '-c', install.replace(/^helm install /, '"$HELM" template ')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, HELM: helmPath, OPENAI_API_KEY: 'sk-readme' },
      },
    );
    const manifests = parseManifests(rendered);
    expect(find(manifests, 'Secret', 'inferwatch-env').stringData).toEqual({ OPENAI_API_KEY: 'sk-readme' });
    expect(container(find(manifests, 'Deployment', 'inferwatch-gateway')).image).toBe(tag);
  });
});

describe('deploy/kubernetes (plain manifests)', () => {
  it('is what the chart renders with its defaults (regenerate: npm run manifests)', () => {
    const fresh = join(workspace, 'inferwatch.yaml');
    execFileSync('bash', [resolve(repoRoot, 'deploy/kubernetes/render.sh'), fresh], {
      env: { ...process.env, HELM_BIN: helmPath },
    });
    expect(readFileSync(resolve(repoRoot, 'deploy/kubernetes/inferwatch.yaml'), 'utf8')).toBe(
      readFileSync(fresh, 'utf8'),
    );
  });

  it('carries no Helm bookkeeping and a config inferwatch accepts', () => {
    const text = readFileSync(resolve(repoRoot, 'deploy/kubernetes/inferwatch.yaml'), 'utf8');
    expect(text).not.toMatch(/helm\.sh\/chart|managed-by: Helm/);
    const manifests = parseManifests(text);
    const file = join(workspace, 'plain.yaml');
    writeFileSync(file, find(manifests, 'ConfigMap', 'inferwatch-config').data?.['inferwatch.yaml'] ?? '');
    expect(() => loadConfig({ file, env: { POD_NAME: 'p' } })).not.toThrow();
  });
});
