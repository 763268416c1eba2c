/**
 * inferwatch's prober alone, as `inferwatch probe` runs it: real scheduler, http checks, SQLite history,
 * SDK metric aggregation, pino JSON logs (to /dev/null) and the event bus. Prints one JSON line of stats
 * when it gets SIGTERM. Usage: node bench/prober/inferwatch-worker.ts <base URL> <targets> <interval s>
 */
import { createWriteStream } from 'node:fs';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus } from '../../src/events/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { createProbeHistory, createProber, resolveTargets } from '../../src/prober/index.ts';
import { openDatabase } from '../../src/store/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { percentile } from './stats.ts';

const [base, countText = '2000', intervalText = '15'] = process.argv.slice(2);
const count = Number(countText);
const config = parseConfig({
  prober: {
    intervalSeconds: Number(intervalText),
    targets: Array.from({ length: count }, (_, i) => ({
      name: `t${i}`,
      http: { url: `${base}/t/${i}`, conditions: ['[BODY].status == ok'] },
    })),
  },
});
const lateness: number[] = [];
const durations: number[] = [];
let failures = 0;
const bus = createEventBus();
bus.subscribe('probe_result', (event) => {
  durations.push(event.latencyMs);
  if (!event.success) failures += 1;
});
const prober = createProber({
  targets: resolveTargets(config, () => base ?? ''),
  instruments: createTestTelemetry().instruments,
  logger: createLogger({ destination: createWriteStream('/dev/null') }),
  bus,
  history: createProbeHistory(openDatabase(':memory:'), { perTarget: 100 }),
  concurrency: config.prober.concurrency,
  onStart: (_name, lateMs) => lateness.push(lateMs),
});
prober.start();
console.log('started');
process.on('SIGTERM', async () => {
  const memory = process.memoryUsage();
  await prober.stop();
  console.log(
    JSON.stringify({
      probes: durations.length,
      failures,
      jitterP50Ms: percentile(lateness, 50),
      jitterP99Ms: percentile(lateness, 99),
      jitterMaxMs: Math.max(...lateness),
      durationP50Ms: percentile(durations, 50),
      durationP99Ms: percentile(durations, 99),
      heapUsedMb: memory.heapUsed / 1_048_576,
      externalMb: memory.external / 1_048_576,
    }),
  );
  process.exit(0);
});
