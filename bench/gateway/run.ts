/**
 * Gateway benchmark: the same load against the simulator directly, through a bare Node pass-through
 * proxy, through inferwatch (telemetry on), through Portkey's gateway and through LiteLLM's proxy, side
 * by side in one run on loopback. Then a failover run: the primary is knocked out mid-load.
 *
 *   node bench/gateway/run.ts [--quick] [--skip-peers] [--report-only] [--rounds N]
 *
 * Fixed-rate latency comes from vegeta (open loop, nanosecond resolution), three rounds (--rounds) interleaved
 * across the targets; maximum throughput from autocannon (closed loop, 64 connections). vegeta and the peers are
 * installed by bench/gateway/install-peers.sh into .build/ (not project dependencies).
 * Results go to bench/RESULTS.md between the gateway markers; raw JSON to .build/bench-gateway.json.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../free-port.ts';
import { runLoad } from './load.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { runThenStop, type Started, startProcess } from './processes.ts';
import { type Measured, writeResults } from './report.ts';
import { chatBody, startBareProxy, startGateway, startSimulator, streamBody } from './targets.ts';
import { requireVegeta, runAtRate } from './vegeta.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    'skip-peers': { type: 'boolean' },
    'report-only': { type: 'boolean' },
    rounds: { type: 'string' },
  },
});
const seconds = values.quick ? 4 : 10;
const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
const fixedRate = 500;
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), 'inferwatch-bench-'));
const started: Started[] = [];
const RAW = join('.build', 'bench-gateway.json');
const log = (line: string) => console.log(`[bench] ${line}`);

interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

async function main() {
  requireVegeta();
  const sink = await startOtlpSink();
  const sim = await startSimulator();
  started.push(sim);
  const simPort = sim.port;
  const upstream = `http://127.0.0.1:${simPort}/v1`;
  const targets: Target[] = [{ name: 'direct', url: `${upstream}/chat/completions` }];

  const bare = await startBareProxy(upstream);
  started.push(bare);
  targets.push({ name: 'bare Node proxy', url: `${bare.url}/v1/chat/completions` });

  const gateway = await startGateway(simPort, { name: 'inferwatch', work, otlpEndpoint: sink.url });
  started.push(gateway);
  targets.push({ name: 'inferwatch', url: `${gateway.url}/v1/chat/completions` });
  // The same gateway with no OTLP endpoint: what telemetry itself costs.
  const quiet = await startGateway(simPort, { name: 'inferwatch-no-telemetry', work });
  started.push(quiet);
  targets.push({ name: 'inferwatch, telemetry off', url: `${quiet.url}/v1/chat/completions` });

  if (!values['skip-peers']) targets.push(...(await startPeers(upstream)));

  // JIT and connection pools warm on every target before anything is measured.
  for (const target of targets) {
    await runLoad({
      url: target.url,
      headers: target.headers,
      body: chatBody,
      durationSeconds: 2,
      connections: 10,
    });
  }
  const rows: Record<string, Record<string, Measured>> = {};
  for (const target of targets) rows[target.name] = {};
  // Fixed rate: rounds interleave the targets, so a slow minute on the shared machine lands on all of them
  // alike; the report takes the median round.
  const fixed = { [`json @${fixedRate}/s`]: chatBody, [`stream @${fixedRate}/s`]: streamBody };
  for (const [scenario, body] of Object.entries(fixed)) {
    for (let round = 1; round <= rounds; round += 1) {
      for (const target of targets) {
        // A second at a low rate first: keep-alive sockets idle out between rounds, for every target alike.
        await runAtRate({ url: target.url, headers: target.headers, body, rate: 100, durationSeconds: 1 });
        const result = await runAtRate({
          url: target.url,
          headers: target.headers,
          body,
          rate: fixedRate,
          durationSeconds: seconds,
        });
        const row = rows[target.name]!;
        row[scenario] = { ...result, rounds: [...(row[scenario]?.rounds ?? []), result] };
        log(
          `${target.name.padEnd(26)} ${scenario} round ${round}/${rounds}: p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms, errors ${result.errors + result.non2xx}/${result.requests}`,
        );
      }
    }
  }
  const max = { 'json max': chatBody, 'stream max': streamBody };
  for (const target of targets) {
    for (const [scenario, body] of Object.entries(max)) {
      await runLoad({
        url: target.url,
        headers: target.headers,
        body: chatBody,
        durationSeconds: 1,
        connections: 10,
      });
      const result = await runLoad({
        url: target.url,
        headers: target.headers,
        body,
        durationSeconds: seconds,
        connections: 64,
      });
      rows[target.name]![scenario] = result;
      log(
        `${target.name.padEnd(26)} ${scenario}: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, errors ${result.errors + result.non2xx}/${result.requests}`,
      );
    }
  }

  const failover = await runFailover(gateway.url, simPort);
  const report = {
    rows,
    failover,
    seconds,
    rounds,
    fixedRate,
    sinkRequests: sink.requests(),
    at: new Date().toISOString(),
  };
  writeResults(report);
  writeFileSync(RAW, JSON.stringify(report, null, 2));
  await sink.close();
}

async function startPeers(upstream: string): Promise<Target[]> {
  const peers: Target[] = [];
  const portkeyEntry = '.build/peers/node_modules/@portkey-ai/gateway/build/start-server.js';
  if (existsSync(portkeyEntry)) {
    const port = await freePort();
    started.push(
      await startProcess('portkey', node, [portkeyEntry, `--port=${port}`, '--headless'], {
        url: `http://127.0.0.1:${port}`,
      }),
    );
    peers.push({
      name: 'Portkey gateway',
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream },
    });
  } else log('Portkey not installed (bash bench/gateway/install-peers.sh); skipped');
  const litellm = '.build/bench-venv/bin/litellm';
  if (existsSync(litellm)) {
    const port = await freePort();
    const config = join(work, 'litellm.yaml');
    writeFileSync(
      config,
      `model_list:\n  - model_name: sim-small\n    litellm_params: { model: openai/sim-small, api_base: "${upstream}", api_key: sk-bench }\nlitellm_settings: { telemetry: false }\n`,
    );
    started.push(
      await startProcess(
        'litellm',
        litellm,
        ['--config', config, '--port', String(port), '--host', '127.0.0.1', '--num_workers', '1'],
        {
          url: `http://127.0.0.1:${port}`,
          readyURL: `http://127.0.0.1:${port}/health/liveliness`,
          env: { LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False' },
          timeoutMs: 180_000,
        },
      ),
    );
    peers.push({ name: 'LiteLLM proxy', url: `http://127.0.0.1:${port}/v1/chat/completions` });
  } else log('LiteLLM not installed (bash bench/gateway/install-peers.sh); skipped');
  return peers;
}

/** 200 req/s through inferwatch; a second into the middle phase the primary goes into a full outage. */
async function runFailover(gatewayURL: string, simPort: number) {
  const url = `${gatewayURL}/v1/chat/completions`;
  const faults = `http://127.0.0.1:${simPort}/_sim/primary/faults`;
  const before = await runAtRate({ url, body: chatBody, rate: 200, durationSeconds: seconds });
  const knock = setTimeout(() => {
    void fetch(faults, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'outage' }),
    });
  }, 1_000);
  const during = await runAtRate({ url, body: chatBody, rate: 200, durationSeconds: seconds * 2 });
  clearTimeout(knock);
  const after = await runAtRate({ url, body: chatBody, rate: 200, durationSeconds: seconds });
  await fetch(faults, { method: 'DELETE' });
  log(
    `failover: before p50 ${before.p50.toFixed(2)} ms; during errors ${during.errors + during.non2xx}/${during.requests}; breaker open p50 ${after.p50.toFixed(2)} ms, errors ${after.errors + after.non2xx}`,
  );
  return { before, during, after };
}

// --report-only re-renders bench/RESULTS.md from the last run's raw figures (after a change to report.ts).
const run = values['report-only'] ? async () => writeResults(JSON.parse(readFileSync(RAW, 'utf8'))) : main;
runThenStop(run, started);
