import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import {
  createTelemetry,
  type InstrumentDefinition,
  instrumentDefinitions,
  startTelemetryFromConfig,
  type TelemetrySdk,
} from '../../src/telemetry/index.ts';
import { prometheusName } from '../../src/telemetry/prometheus-names.ts';
import { requireTools } from '../required-tools.ts';
import { binaryPaths, binaryRequirements } from '../stack/binaries.ts';

// The scrape endpoint on the real SDK (this file's worker registers it globally): every instrument
// recorded once, scraped over HTTP, read back by name and checked by promtool.
// Only the promtool check needs a tool from the machine; the rest runs everywhere.
const promtoolReady = requireTools(binaryRequirements(['promtool']));
let sdk: TelemetrySdk;
let url = '';
let text = '';

beforeAll(async () => {
  const config = parseConfig({
    telemetry: { region: 'eu-west-1', instanceId: 'gw-1', prometheus: { enabled: true, port: 0 } },
  });
  sdk = startTelemetryFromConfig(config, silentLogger, '9.9.9');
  url = (await sdk.prometheus) as string;
  const { instruments } = createTelemetry();
  for (const [handle, recorder] of Object.entries(instruments)) {
    recorder.record(handle === 'gatewayRequestDuration' ? 0.3 : 1, {
      'inferwatch.provider.name': 'sim "primary"',
      'gen_ai.request.model': 'sim-small',
    });
  }
  text = await (await fetch(url)).text();
});
afterAll(() => sdk.shutdown());

describe('telemetry.prometheus: GET /metrics', () => {
  it('serves every instrument under the name the Collector gives it (the README table)', () => {
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]));
    const expected = Object.values(instrumentDefinitions as Record<string, InstrumentDefinition>).map(
      (definition) => [
        prometheusName(definition),
        { counter: 'counter', histogram: 'histogram', gauge: 'gauge', updown: 'gauge' }[definition.kind],
      ],
    );
    expect([...types].sort()).toEqual(expected.sort());
  });

  it('labels each series with its attributes and the resource, as remote write through the Collector does', () => {
    const line = text.split('\n').find((row) => row.startsWith('inferwatch_gateway_requests_total{'));
    expect(line).toMatch(
      /^inferwatch_gateway_requests_total\{inferwatch_provider_name="sim \\"primary\\"",.*\} 1$/,
    );
    for (const label of [
      'gen_ai_request_model="sim-small"',
      'service_name="inferwatch"',
      'service_version="9.9.9"',
      'service_instance_id="gw-1"',
      'cloud_region="eu-west-1"',
    ])
      expect(line).toContain(label);
  });

  it('writes histograms as cumulative buckets ending in +Inf, with _sum and _count', () => {
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('inferwatch_gateway_request_duration_seconds'));
    const buckets = series.filter((line) => line.includes('_bucket{'));
    const counts = buckets.map((line) => Number(line.split(' ').at(-1)));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)).toMatch(/le="\+Inf"\} 1$/);
    expect(buckets.find((line) => line.includes('le="0.16"'))).toMatch(/ 0$/);
    expect(buckets.find((line) => line.includes('le="0.32"'))).toMatch(/ 1$/);
    expect(series.find((line) => line.startsWith('inferwatch_gateway_request_duration_seconds_sum'))).toMatch(
      / 0\.3$/,
    );
    expect(
      series.find((line) => line.startsWith('inferwatch_gateway_request_duration_seconds_count')),
    ).toMatch(/ 1$/);
  });

  it.skipIf(!promtoolReady)('passes `promtool check metrics`', () => {
    // Exit 0 and no remarks: the exposition parses and follows the naming conventions promtool lints.
    const result = spawnSync(binaryPaths.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('answers only GET /metrics', async () => {
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(404);
  });

  it('fails at start-up naming the key when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const second = startTelemetryFromConfig(
      parseConfig({ telemetry: { prometheus: { enabled: true, port } } }),
      silentLogger,
      '9.9.9',
    );
    await expect(second.prometheus).rejects.toThrow(
      `telemetry.prometheus: cannot listen on 127.0.0.1:${port}`,
    );
    await second.shutdown();
    blocker.close();
  });
});
