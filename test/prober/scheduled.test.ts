import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus, type Envelope, type IncidentEvent } from '../../src/events/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import {
  createProbeHistory,
  createProber,
  ProbeCancelledError,
  resolveTargets,
} from '../../src/prober/index.ts';
import { openDatabase } from '../../src/store/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { createManualClock } from './manual-clock.ts';

let server: Server;
let base: string;
let delayMs = 0;
let status = 200;

beforeAll(async () => {
  server = createServer((_req, res) => {
    setTimeout(() => res.writeHead(status).end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('scheduled probing with an injected clock', () => {
  it('probes every interval and moves up → degraded → down → up by its thresholds', async () => {
    const clock = createManualClock();
    const config = parseConfig({
      prober: {
        intervalSeconds: 10,
        failureThreshold: 2,
        recoveryThreshold: 2,
        // Latency is real wall-clock time: wide margins keep a fast answer "up" on a loaded machine.
        latencyThresholdMs: 1000,
        targets: [{ name: 'api', http: { url: `${base}/`, timeoutMs: 5000 } }],
      },
    });
    const bus = createEventBus({ now: clock.now });
    const incidents: Envelope<IncidentEvent>[] = [];
    bus.subscribe('incident', (event) => incidents.push(event));
    const prober = createProber({
      targets: resolveTargets(config, () => ''),
      instruments: createTestTelemetry().instruments,
      logger: silentLogger,
      bus,
      now: clock.now,
      timers: clock.timers,
    });
    const states: string[] = [];
    bus.subscribe('probe_result', (event) => states.push(event.state));
    const tick = async (expected: number) => {
      await clock.advance(10_000);
      await vi.waitFor(() => expect(states).toHaveLength(expected), { timeout: 10_000 });
    };
    prober.start();
    await tick(1); // first slot lands inside the first interval
    delayMs = 1500; // slow but successful
    await tick(2);
    delayMs = 0;
    status = 500;
    await tick(3);
    await tick(4);
    status = 200;
    await tick(5);
    await tick(6);
    await prober.stop();
    expect(states).toEqual(['up', 'degraded', 'degraded', 'down', 'down', 'up']);
    expect(incidents.map((incident) => incident.kind)).toEqual(['probe_degraded', 'probe_down', 'probe_up']);
  });

  it('drops a check that stop() cuts short: a restart leaves no false failure in history, metrics or events', async () => {
    const clock = createManualClock();
    const config = parseConfig({
      prober: {
        intervalSeconds: 10,
        failureThreshold: 1,
        targets: [
          { name: 'scheduled', http: { url: `${base}/`, timeoutMs: 10_000 } },
          { name: 'manual', http: { url: `${base}/`, timeoutMs: 10_000 } },
        ],
      },
    });
    const bus = createEventBus({ now: clock.now });
    const published: string[] = [];
    bus.subscribe('probe_result', (event) => published.push(event.target));
    bus.subscribe('incident', (event) => published.push(event.kind));
    const telemetry = createTestTelemetry();
    const history = createProbeHistory(openDatabase(':memory:'), { perTarget: 10 });
    const started: string[] = [];
    const prober = createProber({
      targets: resolveTargets(config, () => ''),
      instruments: telemetry.instruments,
      logger: silentLogger,
      bus,
      history,
      now: clock.now,
      timers: clock.timers,
      onStart: (name) => started.push(name),
    });
    delayMs = 5_000; // both checks are still waiting for an answer when stop() comes
    status = 200;
    try {
      prober.start();
      await clock.advance(10_000);
      expect(started).toContain('scheduled');
      const manual = prober.run('manual');
      await prober.stop();
      await expect(manual).rejects.toBeInstanceOf(ProbeCancelledError);
      await expect(prober.run('manual')).rejects.toBeInstanceOf(ProbeCancelledError); // after stop()
      expect(published).toEqual([]);
      expect(history.list('scheduled', 10)).toEqual([]);
      expect(history.list('manual', 10)).toEqual([]);
      expect(prober.status().map((target) => [target.name, target.runs, target.state])).toEqual([
        ['scheduled', 0, 'unknown'],
        ['manual', 0, 'unknown'],
      ]);
      const probePoints = (await telemetry.collectMetrics())
        .filter((metric) => metric.descriptor.name.startsWith('probe_'))
        .flatMap((metric) => metric.dataPoints.map((point) => [metric.descriptor.name, point.attributes]));
      expect(probePoints).toEqual([]);
    } finally {
      delayMs = 0;
    }
  });
});
