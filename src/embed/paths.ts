import { fileURLToPath } from 'node:url';

// This file sits one folder below src/ (or dist/ once published), which sits at the package root: the
// same relative path holds in a git checkout and in node_modules/inferwatch.
const root = new URL('../../', import.meta.url);
const at = (path: string) => fileURLToPath(new URL(path, root));

/**
 * Absolute paths of the files that ship with the package for the rest of the pipeline, for a deploy
 * script or a test to copy or mount: the Grafana dashboards, Prometheus rules and scrape config,
 * the Alertmanager routing to the analyzer, Grafana provisioning, and the Collector config.
 */
export const packagePaths = {
  root: at('.'),
  dashboards: at('dashboards/'),
  alertRules: at('alerts/rules/'),
  prometheusConfig: at('alerts/prometheus.yml'),
  alertmanagerConfig: at('alerts/alertmanager.yml'),
  grafanaProvisioning: at('grafana/provisioning/'),
  collectorConfig: at('otel-collector/config.yaml'),
  exampleConfig: at('inferwatch.example.yaml'),
} as const;
