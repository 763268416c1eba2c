import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/free-port.ts';
import { startPagerDuty } from '../fakes/pagerduty.ts';
import { binaryPaths, missingBinaries } from './binaries.ts';
import { collectorArgs, renderAlertmanagerConfig, renderPrometheusConfig } from './configs.ts';
import { isRunning, type StartedProcess, startProcess } from './process.ts';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client.ts';
import { waitForHttp } from './wait.ts';
import { startWebhookRecorder, type WebhookRecorder } from './webhook-recorder.ts';

/** The routing key of the on-call PagerDuty service in the test stack (an Events API v2 key is 32 characters). */
export const oncallRoutingKey = 'inferwatchtestoncallroutingkey32';

export interface StackOptions {
  /** Where Alertmanager posts (the analyzer's /api/alertmanager, or a recorder). */
  webhookURL: string;
  webhookToken?: string;
  /** Scrape and rule evaluation interval; the committed files say 15 s, tests want 1 s. */
  intervalSeconds?: number;
  /** Span-metrics flush and batch timeout of the Collector, for fast tests. */
  fast?: boolean;
  /** Alertmanager group_wait and group_interval (the committed file says 30s and 5m). */
  groupWait?: string;
}

export interface Stack {
  /** OTLP/HTTP base URL (what inferwatch's telemetry.otlpEndpoint takes). */
  otlpHttpURL: string;
  otlpGrpcEndpoint: string;
  prometheusURL: string;
  alertmanagerURL: string;
  collectorMetricsURL: string;
  /** JSON lines written by the Collector's file/traces exporter. */
  tracesFile: string;
  /** The person on call: a PagerDuty Events API fake that Alertmanager's own integration pages. */
  pagerduty: Awaited<ReturnType<typeof startPagerDuty>>;
  /** The dead man's switch: every InferwatchWatchdog heartbeat Alertmanager sends. */
  heartbeats: WebhookRecorder;
  prometheus: PrometheusClient;
  processes: readonly StartedProcess[];
  /** Last log lines of every process, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the real Collector (ocb build), Prometheus and Alertmanager on free loopback ports from the
 * committed config files, waits until each is ready, and returns how to reach them. stop() kills all
 * three and removes the temporary directory.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const missing = missingBinaries(['otelcol', 'prometheus', 'alertmanager']);
  if (missing.length > 0) throw new Error(`stack binaries missing:\n${missing.join('\n')}`);
  const { intervalSeconds = 1, fast = true, groupWait = '1s' } = options;
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-stack-'));
  const processes: StartedProcess[] = [];
  const [pagerduty, heartbeats] = await Promise.all([startPagerDuty(), startWebhookRecorder('/ping')]);
  const stop = async () => {
    await Promise.all(processes.map((started) => started.stop()));
    await Promise.all([pagerduty.close(), heartbeats.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [grpc, http, health, selfMetrics, prometheusPort, alertmanagerPort] = await Promise.all(
      Array.from({ length: 6 }, freePort),
    );
    const prometheusURL = `http://127.0.0.1:${prometheusPort}`;
    const alertmanagerURL = `http://127.0.0.1:${alertmanagerPort}`;
    const collectorData = join(dir, 'otelcol');
    mkdirSync(collectorData);

    const tokenFile = join(dir, 'webhook-token');
    writeFileSync(tokenFile, options.webhookToken ?? 'test-token', { mode: 0o600 });
    const routingKeyFile = join(dir, 'pagerduty-routing-key');
    writeFileSync(routingKeyFile, oncallRoutingKey, { mode: 0o600 });
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      renderAlertmanagerConfig({
        webhookURL: options.webhookURL,
        tokenFile,
        groupWait,
        pagerdutyURL: pagerduty.url,
        routingKeyFile,
        deadmansSwitchURL: heartbeats.url,
      }),
    );
    processes.push(
      startProcess({
        name: 'alertmanager',
        command: binaryPaths.alertmanager,
        args: [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'alertmanager-data')}`,
          `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
          '--cluster.listen-address=', // no HA gossip port
        ],
        logFile: join(dir, 'alertmanager.log'),
      }),
    );

    writeFileSync(
      join(dir, 'prometheus.yml'),
      renderPrometheusConfig({
        intervalSeconds,
        alertmanager: `127.0.0.1:${alertmanagerPort}`,
        targets: {
          prometheus: `127.0.0.1:${prometheusPort}`,
          otelcol: `127.0.0.1:${selfMetrics}`,
          alertmanager: `127.0.0.1:${alertmanagerPort}`,
        },
      }),
    );
    processes.push(
      startProcess({
        name: 'prometheus',
        command: binaryPaths.prometheus,
        args: [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
          `--web.listen-address=127.0.0.1:${prometheusPort}`,
          '--web.enable-remote-write-receiver',
          '--enable-feature=exemplar-storage',
        ],
        logFile: join(dir, 'prometheus.log'),
      }),
    );

    processes.push(
      startProcess({
        name: 'otelcol',
        command: binaryPaths.otelcol,
        args: collectorArgs(),
        env: {
          OTELCOL_LISTEN_HOST: '127.0.0.1',
          OTELCOL_OTLP_GRPC_PORT: String(grpc),
          OTELCOL_OTLP_HTTP_PORT: String(http),
          OTELCOL_HEALTH_PORT: String(health),
          OTELCOL_METRICS_PORT: String(selfMetrics),
          OTELCOL_FILE_DIR: collectorData,
          OTELCOL_STORAGE_DIR: join(collectorData, 'storage'),
          PROMETHEUS_REMOTE_WRITE_URL: `${prometheusURL}/api/v1/write`,
          ...(fast ? { OTELCOL_BATCH_TIMEOUT: '200ms', OTELCOL_SPANMETRICS_FLUSH: '1s' } : {}),
        },
        logFile: join(dir, 'otelcol.log'),
      }),
    );

    const [alertmanager, prometheus, otelcol] = processes as [StartedProcess, StartedProcess, StartedProcess];
    await Promise.all([
      waitForHttp(`${alertmanagerURL}/-/ready`, { alive: () => isRunning(alertmanager) }),
      waitForHttp(`${prometheusURL}/-/ready`, { alive: () => isRunning(prometheus) }),
      waitForHttp(`http://127.0.0.1:${health}/`, { alive: () => isRunning(otelcol) }),
    ]);
    return {
      otlpHttpURL: `http://127.0.0.1:${http}`,
      otlpGrpcEndpoint: `127.0.0.1:${grpc}`,
      prometheusURL,
      alertmanagerURL,
      collectorMetricsURL: `http://127.0.0.1:${selfMetrics}/metrics`,
      tracesFile: join(collectorData, 'traces.jsonl'),
      pagerduty,
      heartbeats,
      prometheus: createPrometheusClient(prometheusURL),
      processes,
      logs: () => processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.tail()}`).join('\n'),
      stop,
    };
  } catch (error) {
    const logs = processes.map((p) => `--- ${p.name}\n${p.tail()}`).join('\n');
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
  }
}
