/**
 * Stream resumption benchmark: what a resumed stream costs against an uncut one, in client time and in
 * upstream tokens. One process: the gateway (real runtime, telemetry off) in front of two simulator
 * instances that answer a 40-word reply at a fixed pace; scenarios run interleaved, one request at a time.
 *   node bench/resume/run.ts [--rounds 8] [--words 40] [--ttft 50] [--tps 200] [--no-append]
 * Writes the "## Stream resumption" section of bench/RESULTS.md.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus } from '../../src/events/index.ts';
import { listen } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime } from '../../src/runtime/index.ts';
import { createSimulator } from '../../src/simulator/index.ts';
import { createTelemetry } from '../../src/telemetry/index.ts';
import { writeResultsSection } from '../results-file.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    words: { type: 'string', default: '40' },
    ttft: { type: 'string', default: '50' },
    tps: { type: 'string', default: '200' },
    'no-append': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const wordCount = Number(values.words);
const ttftMs = Number(values.ttft);
const tokensPerSecond = Number(values.tps);
const loadAtStart = loadavg()[0]?.toFixed(1);
const words = Array.from({ length: wordCount }, (_, index) => `w${index + 1}`).join(' ');

const simulator = createSimulator({ ttftMs, tokensPerSecond });
const upstream = await listen(simulator.app, { port: 0 });
const base = (instance: string) => `${upstream.url}/${instance}/v1`;
const provider = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  baseURL: base(name),
  healthCheck: 'none',
  timeouts: { connectMs: 1_000, firstTokenMs: 5_000, idleMs: 300, totalMs: 30_000 },
  ...extra,
});
const cutAt = (fraction: number) => Math.max(1, Math.round(wordCount * fraction));
const route = (model: string, first: string, second: string, to = 'backup') => ({
  model,
  targets: [
    { provider: 'primary', model: first },
    { provider: to, model: second },
  ],
});
const routes = [
  { model: 'uncut', targets: [{ provider: 'primary', model: 'sim-small' }] },
  ...[0.25, 0.5, 0.9].map((fraction) =>
    route(`replay-${fraction}`, `sim-small+fault-cut-after-${cutAt(fraction)}`, 'sim-small'),
  ),
  route('replay-stall-0.5', `sim-small+fault-stall-after-${cutAt(0.5)}`, 'sim-small'),
  ...[0.25, 0.9].map((fraction) =>
    route(`prefill-${fraction}`, `sim-small+fault-cut-after-${cutAt(fraction)}`, 'sim-small', 'continuer'),
  ),
  route('diverged-0.5', `sim-small+fault-cut-after-${cutAt(0.5)}`, 'sim-small+fault-wrong-answer'),
];
const config = parseConfig({
  store: { path: ':memory:' },
  providers: [
    provider('primary'),
    provider('backup'),
    provider('continuer', { prefill: 'continue_final_message' }),
  ],
  routes,
  retry: { maxAttempts: 1, deadlineMs: 30_000, budgetRatio: 1, resumeStreams: 'prefill' },
  circuitBreaker: { failureThreshold: 100_000, minimumRequests: 100_000 },
});
const runtime = createRuntime({
  config,
  role: 'gateway',
  only: ['gateway', 'api'],
  logger: silentLogger,
  telemetry: createTelemetry(),
  bus: createEventBus(),
});
const gateway = await runtime.listen({ port: 0 });

/**
 * The same gateway with resumption off, in front of an unpaced simulator instance, to measure what
 * recording every stream (so it can be resumed) costs the streams that never break.
 */
const fast = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
const fastUpstream = await listen(fast.app, { port: 0 });
const recordingGateway = async (resumeStreams: 'replay' | 'off') => {
  const instance = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      providers: [{ ...provider('fast'), baseURL: `${fastUpstream.url}/fast/v1` }],
      routes: [{ model: '*', targets: [{ provider: 'fast', model: 'sim-small' }] }],
      retry: { resumeStreams },
    }),
    role: 'gateway',
    only: ['gateway'],
    logger: silentLogger,
    telemetry: createTelemetry(),
    bus: createEventBus(),
  });
  return { instance, listening: await instance.listen({ port: 0 }) };
};

interface Sample {
  totalMs: number;
  /** The longest wait between two content chunks: the client-visible pause a resumption adds. */
  longestGapMs: number;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
}

async function usageTotals(): Promise<{ input: number; output: number }> {
  const response = await fetch(`${gateway.url}/api/metrics`);
  const body = (await response.json()) as {
    gateway?: { usage?: { total?: { inputTokens: number; outputTokens: number } } };
  };
  const total = body.gateway?.usage?.total;
  return { input: total?.inputTokens ?? 0, output: total?.outputTokens ?? 0 };
}

async function run(model: string): Promise<Sample> {
  const before = await usageTotals();
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: `Reply with exactly: ${words}` }],
      stream: true,
    }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let last = performance.now();
  let longestGapMs = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now();
    if (text.length > 0) longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    text += decoder.decode(value, { stream: true });
  }
  const totalMs = performance.now() - started;
  // The attempts' bookkeeping completes just after the response ends.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const after = await usageTotals();
  return {
    totalMs,
    longestGapMs,
    ok: text.trimEnd().endsWith('data: [DONE]'),
    inputTokens: after.input - before.input,
    outputTokens: after.output - before.output,
  };
}

const scenarios = routes.map((candidate) => candidate.model);
const samples = new Map<string, Sample[]>(scenarios.map((name) => [name, []]));
// One warm-up pass (connections, JIT), not counted.
for (const name of scenarios) await run(name);
for (let round = 0; round < rounds; round += 1) {
  for (const name of scenarios) samples.get(name)?.push(await run(name));
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const baseline = samples.get('uncut') ?? [];
const baseMs = median(baseline.map((sample) => sample.totalMs));
const baseOut = median(baseline.map((sample) => sample.outputTokens));
const baseIn = median(baseline.map((sample) => sample.inputTokens));
const describe: Record<string, string> = {
  uncut: 'uncut stream',
  'replay-0.25': `replay, cut after 25 % (${cutAt(0.25)} words)`,
  'replay-0.5': `replay, cut after 50 % (${cutAt(0.5)} words)`,
  'replay-0.9': `replay, cut after 90 % (${cutAt(0.9)} words)`,
  'replay-stall-0.5': `replay, stalled after 50 % (idleMs 300)`,
  'prefill-0.25': `prefill, cut after 25 %`,
  'prefill-0.9': `prefill, cut after 90 %`,
  'diverged-0.5': `replay diverges (fallback answers otherwise), cut after 50 %`,
};
const rows = scenarios.map((name) => {
  const list = samples.get(name) ?? [];
  const total = median(list.map((sample) => sample.totalMs));
  const gap = median(list.map((sample) => sample.longestGapMs));
  const input = median(list.map((sample) => sample.inputTokens));
  const output = median(list.map((sample) => sample.outputTokens));
  const complete = list.filter((sample) => sample.ok).length;
  const delta = total - baseMs;
  const added = name === 'uncut' ? '—' : `${delta < 0 ? '−' : '+'}${Math.abs(delta).toFixed(0)}`;
  return `| ${describe[name] ?? name} | ${total.toFixed(0)} | ${added} | ${gap.toFixed(0)} | ${input} (${(input / baseIn).toFixed(2)}×) | ${output} (${(output / baseOut).toFixed(2)}×) | ${complete}/${list.length} |`;
});
// Recording cost: CPU per uncut stream through a gateway that records it (replay) and one that does not.
const recording = { replay: await recordingGateway('replay'), off: await recordingGateway('off') };
const streamOnce = async (url: string) => {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'sim-small',
      messages: [{ role: 'user', content: `Reply with exactly: ${words}` }],
      stream: true,
    }),
  });
  await response.text();
};
const cpuPerStream: Record<'replay' | 'off', number[]> = { replay: [], off: [] };
const batch = 200;
for (let round = 0; round < rounds; round += 1) {
  for (const mode of ['replay', 'off'] as const) {
    const url = recording[mode].listening.url;
    const started = process.cpuUsage();
    for (let start = 0; start < batch; start += 8) {
      await Promise.all(Array.from({ length: 8 }, () => streamOnce(url)));
    }
    const used = process.cpuUsage(started);
    cpuPerStream[mode].push((used.user + used.system) / 1000 / batch);
  }
}
const cpuReplay = median(cpuPerStream.replay);
const cpuOff = median(cpuPerStream.off);
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const body = [
  '## Stream resumption',
  '',
  `Run ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpu}), Node ${process.versions.node}, **on a machine shared with other work** (load average ${loadAtStart} at the start; absolute times wobble; the differences between rows, measured interleaved in the same run, are the result). One process: the gateway (telemetry off) in front of two simulator instances answering a ${wordCount}-word reply, ${ttftMs} ms to the first token, ${tokensPerSecond} tokens/s (the simulator's timers make it slower in practice: see the uncut row); ${rounds} round(s), the scenarios interleaved, one request at a time; medians. Tokens are what the upstreams consumed per request (the gateway's usage totals: reported by the replacement, estimated for the broken attempt). Produced by \`node bench/resume/run.ts\`.`,
  '',
  '| scenario | total ms | added ms | longest pause ms | input tokens | output tokens | complete |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  `**What being resumable costs every stream.** With \`resumeStreams: replay\` (the default) the gateway records what each stream sent. CPU per uncut ${wordCount}-word stream, gateway, client and simulator in one process (so the difference is the recording), ${rounds} × ${batch} streams 8 at a time, medians: replay ${cpuReplay.toFixed(3)} ms, off ${cpuOff.toFixed(3)} ms (${cpuReplay >= cpuOff ? '+' : '−'}${Math.abs(cpuReplay - cpuOff).toFixed(3)} ms, ${cpuReplay >= cpuOff ? '+' : '−'}${Math.abs(((cpuReplay - cpuOff) / cpuOff) * 100).toFixed(1)} %).`,
  '',
  `Reading it: a replay costs the replacement's time to first token plus regenerating what was already sent (at ${tokensPerSecond} tokens/s, ${(1000 / tokensPerSecond).toFixed(0)} ms a word), during which the client waits ("longest pause"), and it bills the prompt twice and the sent part of the answer twice. A prefill pays the time to first token only, but bills the prompt plus the partial answer as input. A stall adds \`timeouts.idleMs\` before anything else. A diverging replacement is stopped at its first differing token: the request fails, as it would have without resumption, after one more time-to-first-token and a handful of output tokens.`,
].join('\n');
console.log(body);
if (!values['no-append']) writeResultsSection('resume', body);
await runtime.stop();
await recording.replay.instance.stop();
await recording.off.instance.stop();
simulator.close();
fast.close();
await upstream.close();
await fastUpstream.close();
