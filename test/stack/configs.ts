import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from './binaries.ts';

/** The committed files the native stack runs from (the same ones docker-compose mounts). */
export const configFiles = {
  collector: resolve(repoRoot, 'otel-collector/config.yaml'),
  collectorAuth: resolve(repoRoot, 'otel-collector/auth.yaml'),
  prometheus: resolve(repoRoot, 'alerts/prometheus.yml'),
  alertmanager: resolve(repoRoot, 'alerts/alertmanager.yml'),
  rulesDir: resolve(repoRoot, 'alerts/rules'),
} as const;

export const ruleFiles = () =>
  readdirSync(configFiles.rulesDir)
    .filter((name) => name.endsWith('.yml'))
    .map((name) => resolve(configFiles.rulesDir, name));

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[] }[];
  [key: string]: unknown;
}

export interface PrometheusRender {
  intervalSeconds: number;
  /** host:port per scrape job name of the committed file (prometheus, otelcol, alertmanager). */
  targets: Record<string, string>;
  alertmanager: string;
}

/**
 * alerts/prometheus.yml with what differs on a test machine: loopback targets, fast scrape and
 * evaluation intervals, and absolute paths to the same rule files. Everything else stays as committed.
 */
export function renderPrometheusConfig({ intervalSeconds, targets, alertmanager }: PrometheusRender) {
  const config = parse(readFileSync(configFiles.prometheus, 'utf8'));
  config.global = {
    ...config.global,
    scrape_interval: `${intervalSeconds}s`,
    evaluation_interval: `${intervalSeconds}s`,
  };
  config.rule_files = (config.rule_files as string[]).map((glob) => resolve(repoRoot, 'alerts', glob));
  config.alerting.alertmanagers[0].static_configs = [{ targets: [alertmanager] }];
  for (const job of config.scrape_configs as ScrapeConfig[]) {
    const target = targets[job.job_name];
    if (!target) throw new Error(`no test target for scrape job ${job.job_name}`);
    job.static_configs = [{ targets: [target] }];
  }
  return stringify(config);
}

export interface AlertmanagerRender {
  webhookURL: string;
  tokenFile: string;
  /** Test speed: how long Alertmanager waits before the first notification of a group. */
  groupWait: string;
}

/** alerts/alertmanager.yml pointed at the test's webhook, with a short group_wait. */
export function renderAlertmanagerConfig({ webhookURL, tokenFile, groupWait }: AlertmanagerRender) {
  const config = parse(readFileSync(configFiles.alertmanager, 'utf8'));
  config.route.group_wait = groupWait;
  config.route.group_interval = groupWait;
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = webhookURL;
      webhook.http_config.authorization.credentials_file = tokenFile;
    }
  }
  return stringify(config);
}

/**
 * Collector settings for the native stack: the committed config plus one override. There is no
 * Tempo here, so traces go only to the file exporter (read by the tests) and the span_metrics connector.
 */
export const collectorArgs = () => [
  `--config=${configFiles.collector}`,
  '--config=yaml:service::pipelines::traces::exporters: [file/traces, span_metrics]',
];
