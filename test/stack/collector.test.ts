import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { requireTools } from '../required-tools.ts';
import { binaryPaths, binaryRequirements } from './binaries.ts';
import { collectorArgs, configFiles } from './configs.ts';
import { metricsPayload, postOtlp, spanPayload } from './otlp-json.ts';
import { isRunning, type StartedProcess, startProcess } from './process.ts';
import { createPrometheusClient } from './prometheus-client.ts';
import { waitForHttp } from './wait.ts';

const ready = requireTools(binaryRequirements(['otelcol', 'prometheus']));

const dir = mkdtempSync(join(tmpdir(), 'inferwatch-collector-'));
const started: StartedProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((process) => process.stop()));
  rmSync(dir, { recursive: true, force: true });
});

interface CollectorPorts {
  http: number;
  grpc: number;
  health: number;
  metrics: number;
}
const collectorPorts = async (): Promise<CollectorPorts> => {
  const [http, grpc, health, metrics] = await Promise.all(Array.from({ length: 4 }, freePort));
  return { http: http as number, grpc: grpc as number, health: health as number, metrics: metrics as number };
};

/** The committed Collector config (plus `extra` arguments) on the given ports, its data under `name`. */
async function startCollector(
  name: string,
  ports: CollectorPorts,
  env: Record<string, string>,
  args: string[] = [`--config=${configFiles.collector}`],
) {
  const data = join(dir, name);
  mkdirSync(data, { recursive: true });
  const collector = startProcess({
    name,
    command: binaryPaths.otelcol,
    args,
    env: {
      OTELCOL_LISTEN_HOST: '127.0.0.1',
      OTELCOL_OTLP_HTTP_PORT: String(ports.http),
      OTELCOL_OTLP_GRPC_PORT: String(ports.grpc),
      OTELCOL_HEALTH_PORT: String(ports.health),
      OTELCOL_METRICS_PORT: String(ports.metrics),
      OTELCOL_FILE_DIR: data,
      OTELCOL_STORAGE_DIR: join(data, 'storage'),
      OTELCOL_BATCH_TIMEOUT: '200ms',
      ...env,
    },
    logFile: join(dir, `${name}-${started.length}.log`),
  });
  started.push(collector);
  await waitForHttp(`http://127.0.0.1:${ports.health}/`, { alive: () => isRunning(collector) });
  return collector;
}

const resource = { 'service.name': 'inferwatch', 'service.instance.id': 'durability-1' };

/** The Collector's own metrics as a lookup of `name{labels}` → value (0 when absent). */
async function selfMetrics(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
  );
  return (series: string) => values.get(series) ?? 0;
}

describe.skipIf(!ready)('the Collector (otel-collector/config.yaml)', () => {
  it('keeps remote-write batches and queued spans on disk through a backend outage and its own restart', async () => {
    const [prometheusPort, tempo, collector] = await Promise.all([
      freePort(),
      collectorPorts(),
      collectorPorts(),
    ]);
    const env = {
      PROMETHEUS_REMOTE_WRITE_URL: `http://127.0.0.1:${prometheusPort}/api/v1/write`,
      // A second Collector stands in for Tempo: it receives OTLP/gRPC and writes what it gets to a file.
      TEMPO_OTLP_GRPC_ENDPOINT: `127.0.0.1:${tempo.grpc}`,
    };
    // Prometheus and "Tempo" are both down while the data arrives.
    let first = await startCollector('collector', collector, env);
    await postOtlp(
      `http://127.0.0.1:${collector.http}`,
      'metrics',
      metricsPayload(resource, [
        { name: 'durability.probe', unit: '', kind: 'gauge', value: 42, attributes: { run: 'outage' } },
      ]),
    );
    const traceId = 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0';
    await postOtlp(
      `http://127.0.0.1:${collector.http}`,
      'traces',
      spanPayload(resource, { traceId, spanId: 'a1a1a1a1a1a1a1a1', name: 'queued span' }),
    );
    // Both have reached their exporters, whose backends are down: pending in a queue, in flight or
    // (with the write-ahead log) handed to it.
    await expect
      .poll(
        async () => {
          const value = await selfMetrics(collector.metrics);
          const pending = (signal: string, exporter: string) =>
            value(`otelcol_exporter_queue_size{data_type="${signal}",exporter="${exporter}"}`) +
            value(`otelcol_exporter_in_flight_requests{data_type="${signal}",exporter="${exporter}"}`);
          return (
            pending('metrics', 'prometheus_remote_write') +
              value('otelcol_exporter_sent_metric_points{exporter="prometheus_remote_write"}') >
              0 && pending('traces', 'otlp_grpc/tempo') > 0
          );
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(true);
    await first.stop();
    first = await startCollector('collector', collector, env);

    const prometheusData = join(dir, 'prometheus');
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 5s\n');
    const prometheus = startProcess({
      name: 'prometheus',
      command: binaryPaths.prometheus,
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${prometheusData}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--web.enable-remote-write-receiver',
      ],
      logFile: join(dir, 'prometheus.log'),
    });
    started.push(prometheus);
    await waitForHttp(`http://127.0.0.1:${prometheusPort}/-/ready`, { alive: () => isRunning(prometheus) });
    await startCollector(
      'tempo-stand-in',
      tempo,
      { PROMETHEUS_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' },
      collectorArgs(),
    );

    const client = createPrometheusClient(`http://127.0.0.1:${prometheusPort}`);
    await expect
      .poll(
        async () => (await client.query('max_over_time(durability_probe{run="outage"}[1h])'))[0]?.value[1],
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBe('42');
    const tempoTraces = join(dir, 'tempo-stand-in', 'traces.jsonl');
    await expect
      .poll(() => existsSync(tempoTraces) && readFileSync(tempoTraces, 'utf8').includes(traceId), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(true);
    expect(isRunning(first)).toBe(true);
  }, 150_000);

  it('with otel-collector/auth.yaml, refuses OTLP without the bearer token and accepts it with one', async () => {
    const ports = await collectorPorts();
    const tokenFile = join(dir, 'otlp-token');
    writeFileSync(tokenFile, 'collector-secret\n', { mode: 0o600 });
    await startCollector(
      'with-auth',
      ports,
      { OTELCOL_OTLP_TOKEN_FILE: tokenFile, PROMETHEUS_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' },
      [...collectorArgs(), `--config=${configFiles.collectorAuth}`],
    );
    const payload = JSON.stringify(
      metricsPayload(resource, [{ name: 'auth.probe', unit: '', kind: 'gauge', value: 1 }]),
    );
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${ports.http}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post({ authorization: 'Bearer collector-secret' })).status).toBe(200);
  }, 60_000);
});
