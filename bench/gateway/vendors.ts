/**
 * Vendors and endpoints benchmark: what the Anthropic translation adds to a streamed chat against the
 * OpenAI-compatible passthrough, and what the gateway adds to embeddings, side by side in one run on
 * loopback (the simulator plays both vendors, so the upstream's own time is the same for every row).
 *
 *   node bench/gateway/vendors.ts [--seconds N] [--rounds N] [--rate N]
 *
 * Fixed rate with vegeta (open loop); rounds interleave the rows, the report takes the median round.
 * Results go to bench/RESULTS.md between the vendors markers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../free-port.ts';
import { writeResultsSection } from '../results-file.ts';
import { runThenStop, type Started, startProcess } from './processes.ts';
import { chatBody, startSimulator } from './targets.ts';
import { requireVegeta, runAtRate } from './vegeta.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, rounds: { type: 'string' }, rate: { type: 'string' } },
});
const seconds = Number(values.seconds ?? 5);
const rounds = Number(values.rounds ?? 3);
const rate = Number(values.rate ?? 200);
const started: Started[] = [];
const log = (line: string) => console.log(`[bench] ${line}`);

const anthropicHeaders = { 'x-api-key': 'bench', 'anthropic-version': '2026-10-21' };
const messagesBody = {
  model: 'sim-small',
  max_tokens: 32,
  stream: true,
  messages: [{ role: 'user', content: chatBody.messages[0]?.content }],
};
const embeddingsBody = { model: 'sim-small', input: ['Say hello in a dozen words.', 'And another.'] };

async function startVendorGateway(simPort: number, work: string): Promise<Started> {
  const port = await freePort();
  const config = join(work, 'vendors.yaml');
  const sim = `http://127.0.0.1:${simPort}`;
  writeFileSync(
    config,
    [
      `server: { port: ${port} }`,
      `store: { path: "${join(work, 'vendors.db')}" }`,
      'log: { level: warn }',
      'providers:',
      `  - { name: openai-sim, baseURL: "${sim}/oai/v1", healthCheck: none }`,
      `  - { name: anthropic-sim, type: anthropic, baseURL: "${sim}/claude", apiKey: bench, healthCheck: none }`,
      'routes:',
      '  - { model: via-openai, targets: [{ provider: openai-sim, model: sim-small }] }',
      '  - { model: via-anthropic, targets: [{ provider: anthropic-sim, model: sim-small }] }',
      '  - { model: embed, targets: [{ provider: openai-sim, model: sim-small }] }',
      'prober: { enabled: false }',
      '',
    ].join('\n'),
  );
  return startProcess('inferwatch', process.execPath, ['src/main.ts', 'gateway', '--config', config], {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/health`,
  });
}

interface Row {
  name: string;
  url: string;
  body: unknown;
  headers?: Record<string, string>;
}

async function main() {
  requireVegeta();
  const work = mkdtempSync(join(tmpdir(), 'inferwatch-bench-vendors-'));
  const sim = await startSimulator();
  started.push(sim);
  const gateway = await startVendorGateway(sim.port, work);
  started.push(gateway);
  const direct = `http://127.0.0.1:${sim.port}`;
  const scenarios: Record<string, Row[]> = {
    [`chat stream @${rate}/s`]: [
      {
        name: 'direct, OpenAI wire',
        url: `${direct}/oai/v1/chat/completions`,
        body: { ...chatBody, stream: true },
      },
      {
        name: 'direct, Anthropic wire',
        url: `${direct}/claude/v1/messages`,
        body: messagesBody,
        headers: anthropicHeaders,
      },
      {
        name: 'inferwatch → OpenAI-compatible',
        url: `${gateway.url}/v1/chat/completions`,
        body: { ...chatBody, model: 'via-openai', stream: true },
      },
      {
        name: 'inferwatch → Anthropic (translated)',
        url: `${gateway.url}/v1/chat/completions`,
        body: { ...chatBody, model: 'via-anthropic', stream: true },
      },
    ],
    [`embeddings @${rate}/s`]: [
      { name: 'direct', url: `${direct}/oai/v1/embeddings`, body: embeddingsBody },
      {
        name: 'inferwatch',
        url: `${gateway.url}/v1/embeddings`,
        body: { ...embeddingsBody, model: 'embed' },
      },
    ],
  };
  const lines = [
    '## Vendors and endpoints (`node bench/gateway/vendors.ts`)',
    '',
    `vegeta offers ${rate} req/s open-loop for ${seconds} s per row, ${rounds} round(s) interleaved across the rows; figures are the median round. The simulator answers in 10 ms to the first token at 1,000 tokens/s for every row, so differences are the gateway's and the translation's own cost. Telemetry off. Shared 2-core machine: compare rows within one run only.`,
    '',
  ];
  for (const [scenario, rows] of Object.entries(scenarios)) {
    for (const row of rows) await runAtRate({ ...row, rate, durationSeconds: 1 });
    const results = new Map<string, { p50: number; p99: number; failed: number; requests: number }[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const row of rows) {
        const result = await runAtRate({ ...row, rate, durationSeconds: seconds });
        const failed = result.errors + result.non2xx;
        results.set(row.name, [...(results.get(row.name) ?? []), { ...result, failed }]);
        log(
          `${scenario} ${row.name} round ${round}: p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms, failed ${failed}/${result.requests}`,
        );
      }
    }
    lines.push(`### ${scenario}`, '', '| target | p50 ms | p99 ms | failed |', '|---|---|---|---|');
    for (const row of rows) {
      const runs = [...(results.get(row.name) ?? [])].sort((a, b) => a.p50 - b.p50);
      const median = runs[Math.floor(runs.length / 2)];
      if (!median) continue;
      lines.push(
        `| ${row.name} | ${median.p50.toFixed(2)} | ${median.p99.toFixed(2)} | ${median.failed}/${median.requests} |`,
      );
    }
    lines.push('');
  }
  writeResultsSection('vendors', lines.join('\n'));
  log('wrote bench/RESULTS.md (vendors section)');
}

runThenStop(main, started);
