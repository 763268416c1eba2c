import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus, type Envelope, type IncidentEvent } from '../../src/events/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createProber, resolveTargets } from '../../src/prober/index.ts';
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
        latencyThresholdMs: 100,
        targets: [{ name: 'api', http: { url: `${base}/`, timeoutMs: 2000 } }],
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
      await vi.waitFor(() => expect(states).toHaveLength(expected));
    };
    prober.start();
    await tick(1); // first slot lands inside the first interval
    delayMs = 150; // slow but successful
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
});
