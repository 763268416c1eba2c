import { afterEach, describe, expect, it } from 'vitest';
import { drive, percentile, rssMb } from './load.ts';
import { startStoppableSink } from './otlp-sink.ts';
import { type Spawned, simulatedConfig, spawnInferwatch } from './process.ts';

let running: Spawned | undefined;
let sink: Awaited<ReturnType<typeof startStoppableSink>> | undefined;
afterEach(async () => {
  await running?.cleanup();
  await sink?.stop().catch(() => {});
  running = undefined;
  sink = undefined;
});

const summary = (phase: string, result: Awaited<ReturnType<typeof drive>>) =>
  `${phase}: ${result.requests} requests, ${result.errors.length} errors, p50 ${percentile(result.latenciesMs, 0.5).toFixed(1)} ms, p95 ${percentile(result.latenciesMs, 0.95).toFixed(1)} ms`;

describe('telemetry outage: the OTLP endpoint goes away under load', () => {
  it('adds no errors and no measurable latency, memory stays bounded, export resumes when it returns', async () => {
    sink = await startStoppableSink();
    running = await spawnInferwatch({
      config: simulatedConfig({
        telemetry: { otlpEndpoint: sink.url(), exportIntervalMs: 1000 },
        prober: { targets: [] },
      }),
    });
    const { url, child } = running;
    const pid = child.pid as number;
    await expect.poll(() => sink?.counts().metrics ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    // No simulated pacing: the latency measured is the gateway's own, so exporter work would show.
    const pacing = await fetch(`${url}/simulator/_sim/primary/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ttftMs: 0, tokensPerSecond: 0 }),
    });
    expect(pacing.status).toBe(200);
    await drive(url, { durationMs: 1_000 }); // warm-up

    const before = await drive(url, { durationMs: 4_000 });
    const rssBefore = rssMb(pid);
    await sink.stop();
    const during = await drive(url, { durationMs: 6_000 });
    const rssDuring = rssMb(pid);
    const stopped = sink.counts();
    await sink.start();
    const after = await drive(url, { durationMs: 3_000 });
    const lines = [
      summary('collector up', before),
      summary('collector down', during),
      summary('back', after),
    ];
    lines.push(`RSS ${rssBefore.toFixed(1)} MB → ${rssDuring.toFixed(1)} MB during the outage`);
    console.log(lines.join('\n'));

    expect([...before.errors, ...during.errors, ...after.errors]).toEqual([]);
    expect(during.requests).toBeGreaterThan(50);
    // Export is off the request path: latency while the exporter fails is that of a healthy pipeline
    // (margins absorb a shared 2-core CI machine, not exporter work).
    expect(percentile(during.latenciesMs, 0.5)).toBeLessThan(percentile(before.latenciesMs, 0.5) * 1.5 + 10);
    expect(percentile(during.latenciesMs, 0.95)).toBeLessThan(percentile(before.latenciesMs, 0.95) * 2 + 60);
    // Queues are bounded (2048 spans/log records); a 6 s outage at ~20 rps must not grow the heap much.
    expect(rssDuring - rssBefore).toBeLessThan(40);
    // Export resumes: metrics, traces and logs arrive again once the endpoint is back.
    await expect
      .poll(
        () => {
          const now = sink?.counts() ?? stopped;
          return now.metrics > stopped.metrics && now.traces > stopped.traces;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(true);
  }, 60_000);
});
