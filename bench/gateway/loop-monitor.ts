/**
 * Preloaded into a Node target (`node --import ./bench/gateway/loop-monitor.ts ...`): measures its event-loop
 * delay with perf_hooks. On SIGUSR2 it writes what it saw since the last signal to BENCH_LOOP_FILE (JSON,
 * milliseconds) and starts over, so the benchmark can read the delay of exactly its measurement window.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_FILE;
if (file) {
  // 5 ms sampling: fine enough for a 20 ms target, cheap enough not to be the load itself.
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
  process.on('SIGUSR2', () => {
    writeFileSync(
      file,
      JSON.stringify({
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        mean: ms(histogram.mean),
      }),
    );
    histogram.reset();
  });
}
