import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../stack/binaries.ts';

/** Helm as scripts/build-helm.sh builds it (scripts/setup.sh runs that), or HELM_BIN. */
export const helmPath = process.env.HELM_BIN ?? resolve(repoRoot, '.build/helm/bin/helm');
export const chartPath = resolve(repoRoot, 'deploy/helm/inferwatch');

export function assertHelm(): void {
  try {
    accessSync(helmPath, constants.X_OK);
  } catch {
    throw new Error(
      `helm not found at ${helmPath}: run \`bash scripts/build-helm.sh\` (scripts/setup.sh does)`,
    );
  }
}

/** A Kubernetes object as rendered; only the fields the tests read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown> & {
    replicas?: number;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface Container {
  image: string;
  args: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef: { name: string; optional: boolean } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  terminationGracePeriodSeconds: number;
  containers: Container[];
  volumes: ({ name: string } & Record<string, unknown>)[];
  nodeSelector?: Record<string, string>;
}

export const parseManifests = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
