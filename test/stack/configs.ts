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
  /** The analyzer's webhook (receiver inferwatch-analyzer). */
  webhookURL: string;
  tokenFile: string;
  /** Test speed: how long Alertmanager waits before the first notification of a group, and between them. */
  groupWait: string;
  /** The on-call receiver's PagerDuty Events API endpoint (a fake in tests) and its routing-key file. */
  pagerdutyURL: string;
  routingKeyFile: string;
  /** Where the InferwatchWatchdog heartbeat goes (receiver deadmans-switch). */
  deadmansSwitchURL: string;
}

interface Receiver {
  name: string;
  webhook_configs?: { url: string; http_config?: { authorization?: { credentials_file?: string } } }[];
  pagerduty_configs?: { url?: string; routing_key_file?: string }[];
}

/**
 * alerts/alertmanager.yml with every way out pointed at the test's endpoints (the on-call PagerDuty
 * integration, the analyzer, the dead man's switch) and short group timings. Routes, grouping,
 * inhibitions and templates stay as committed.
 */
export function renderAlertmanagerConfig(options: AlertmanagerRender) {
  const config = parse(readFileSync(configFiles.alertmanager, 'utf8'));
  // Template globs are relative to the config file; the rendered copy lives elsewhere.
  config.templates = (config.templates as string[]).map((glob) => resolve(repoRoot, 'alerts', glob));
  config.route.group_wait = options.groupWait;
  config.route.group_interval = options.groupWait;
  const receivers = new Map((config.receivers as Receiver[]).map((receiver) => [receiver.name, receiver]));
  const receiver = (name: string) => {
    const found = receivers.get(name);
    if (!found) throw new Error(`alerts/alertmanager.yml has no receiver ${name}`);
    return found;
  };
  for (const pagerduty of receiver('oncall').pagerduty_configs ?? []) {
    pagerduty.url = options.pagerdutyURL;
    pagerduty.routing_key_file = options.routingKeyFile;
  }
  for (const webhook of receiver('inferwatch-analyzer').webhook_configs ?? []) {
    webhook.url = options.webhookURL;
    webhook.http_config = {
      authorization: { ...webhook.http_config?.authorization, credentials_file: options.tokenFile },
    };
  }
  for (const webhook of receiver('deadmans-switch').webhook_configs ?? [])
    webhook.url = options.deadmansSwitchURL;
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
