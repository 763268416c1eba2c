/**
 * CPU time per request of the gateway (telemetry on and off) and of the bare pass-through proxy at the same
 * fixed load, read from /proc/<pid>/stat (utime + stime) around one vegeta run each (so run
 * bench/gateway/install-peers.sh first). Separates the gateway's own work from the queueing that two shared
 * cores add to the latency figures in run.ts.
 *   node bench/gateway/cpu-per-request.ts [--seconds 10] [--rate 500] [--stream]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from './load.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { runThenStop, type Started } from './processes.ts';
import { chatBody, startBareProxy, startGateway, startSimulator, streamBody } from './targets.ts';
import { runAtRate } from './vegeta.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, rate: { type: 'string' }, stream: { type: 'boolean' } },
});
const seconds = Number(values.seconds ?? 10);
const rate = Number(values.rate ?? 500);
const work = mkdtempSync(join(tmpdir(), 'inferwatch-cpu-'));
const started: Started[] = [];
const body = values.stream ? streamBody : chatBody;

/** User + system CPU of a process in milliseconds (clock ticks are 10 ms on Linux). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function main() {
  const sink = await startOtlpSink();
  const sim = await startSimulator();
  started.push(sim);
  const bare = await startBareProxy(`http://127.0.0.1:${sim.port}/v1`);
  started.push(bare);
  const gateway = await startGateway(sim.port, { name: 'inferwatch', work, otlpEndpoint: sink.url });
  started.push(gateway);
  const quiet = await startGateway(sim.port, { name: 'inferwatch-no-telemetry', work });
  started.push(quiet);
  for (const target of [bare, gateway, quiet]) {
    const url = `${target.url}/v1/chat/completions`;
    await runLoad({ url, body, durationSeconds: 3, connections: 20 }); // warm-up (JIT, pools)
    const before = cpuMs(target.child.pid ?? 0);
    const result = await runAtRate({ url, body, durationSeconds: seconds, rate });
    const spent = cpuMs(target.child.pid ?? 0) - before;
    console.log(
      `${target.name.padEnd(26)} ${(spent / result.requests).toFixed(3)} ms CPU/request over ${result.requests} requests at ${rate}/s (p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms)`,
    );
  }
  await sink.close();
}

runThenStop(main, started);
