import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { type Started, startProcess } from './processes.ts';

const node = process.execPath;
/** Every Node target runs with the event-loop monitor preloaded (it writes on SIGUSR2). */
const monitor = ['--import', './bench/gateway/loop-monitor.ts'];

export interface LongTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** The proxy's process (undefined for the direct call: nothing sits between client and upstream). */
  process?: Started | undefined;
  /** Where its event-loop monitor writes (Node targets only). */
  loopFile?: string | undefined;
}

export interface SimulatorProcess extends Started {
  port: number;
  base: string;
  /** Sets the answer timing of every instance the targets use. */
  timing(ttftMs: number, tokensPerSecond: number): Promise<void>;
}

/** The simulator on its own port; with `tls`, HTTPS whose ALPN offers h2 and http/1.1 (control over http/1.1). */
export async function startLongSimulator(tls?: { cert: string; key: string }): Promise<SimulatorProcess> {
  const port = await freePort();
  const scheme = tls ? 'https' : 'http';
  const args = ['src/main.ts', 'simulate', '--port', String(port)];
  if (tls) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  const base = `${scheme}://127.0.0.1:${port}`;
  const started = await startProcess(tls ? 'simulator (TLS)' : 'simulator', node, args, {
    url: base,
    readyURL: `${base}/v1/models`,
    env: tls ? { NODE_EXTRA_CA_CERTS: tls.cert } : {},
  });
  return {
    ...started,
    port,
    base,
    async timing(ttftMs, tokensPerSecond) {
      for (const instance of ['default', 'primary', 'backup']) {
        const response = await fetch(`${base}/_sim/${instance}/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ttftMs, tokensPerSecond }),
        });
        if (!response.ok) throw new Error(`simulator faults: ${response.status} ${await response.text()}`);
      }
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl), for the HTTP/2 scenario's TLS upstream. */
export function makeCertificate(work: string): { cert: string; key: string } {
  const [key, cert] = [join(work, 'key.pem'), join(work, 'cert.pem')];
  if (!existsSync(cert)) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
  }
  return { cert, key };
}

export async function startBare(work: string, upstream: string): Promise<LongTarget> {
  const port = await freePort();
  const loopFile = join(work, `loop-bare-${port}.json`);
  const started = await startProcess(
    'bare proxy',
    node,
    [...monitor, 'bench/gateway/bare-proxy.ts', String(port), upstream],
    {
      url: `http://127.0.0.1:${port}`,
      readyURL: `http://127.0.0.1:${port}/v1/models`,
      env: { BENCH_LOOP_FILE: loopFile },
    },
  );
  return { name: 'bare Node proxy', url: `${started.url}/v1/chat/completions`, process: started, loopFile };
}

/**
 * `inferwatch gateway` with the defaults users run (no maxConnections, telemetry on to the OTLP sink); one
 * provider. `http2` sets the provider's option; `ca` trusts the TLS simulator's certificate.
 */
export async function startInferwatch(
  work: string,
  name: string,
  upstream: string,
  { otlpEndpoint, http2, ca }: { otlpEndpoint: string; http2?: boolean; ca?: string | undefined },
): Promise<LongTarget> {
  const port = await freePort();
  const config = join(work, `${name.replace(/\W+/g, '-')}-${port}.yaml`);
  writeFileSync(
    config,
    [
      `server: { port: ${port} }`,
      `telemetry: { otlpEndpoint: "${otlpEndpoint}", exportIntervalMs: 5000 }`,
      `store: { path: "${join(work, `${port}.db`)}" }`,
      'log: { level: warn }',
      'providers:',
      `  - { name: sim, baseURL: "${upstream}"${http2 ? ', http2: true' : ''} }`,
      'routes:',
      '  - { model: "*", targets: [{ provider: sim }] }',
      'prober: { enabled: false }',
      '',
    ].join('\n'),
  );
  const loopFile = join(work, `loop-${port}.json`);
  const started = await startProcess(name, node, [...monitor, 'src/main.ts', 'gateway', '--config', config], {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/health`,
    env: { BENCH_LOOP_FILE: loopFile, ...(ca ? { NODE_EXTRA_CA_CERTS: ca } : {}) },
  });
  return { name, url: `${started.url}/v1/chat/completions`, process: started, loopFile };
}

export async function startLiteLLM(work: string, upstream: string): Promise<LongTarget | string> {
  const litellm = '.build/bench-venv/bin/litellm';
  if (!existsSync(litellm)) return 'not installed (bash bench/gateway/install-peers.sh)';
  const port = await freePort();
  const config = join(work, `litellm-${port}.yaml`);
  writeFileSync(
    config,
    `model_list:\n  - model_name: sim-small\n    litellm_params: { model: openai/sim-small, api_base: "${upstream}", api_key: sk-bench }\nlitellm_settings: { telemetry: false }\n`,
  );
  const started = await startProcess(
    'litellm',
    litellm,
    ['--config', config, '--port', String(port), '--host', '127.0.0.1', '--num_workers', '1'],
    {
      url: `http://127.0.0.1:${port}`,
      readyURL: `http://127.0.0.1:${port}/health/liveliness`,
      env: { LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False' },
      timeoutMs: 300_000,
    },
  );
  return { name: 'LiteLLM proxy', url: `${started.url}/v1/chat/completions`, process: started };
}

/** Portkey's gateway, if one streamed request through it completes; otherwise why not. */
export async function startPortkey(work: string, upstream: string): Promise<LongTarget | string> {
  const entry = '.build/peers/node_modules/@portkey-ai/gateway/build/start-server.js';
  if (!existsSync(entry)) return 'not installed (bash bench/gateway/install-peers.sh)';
  const port = await freePort();
  const loopFile = join(work, `loop-portkey-${port}.json`);
  const started = await startProcess('portkey', node, [...monitor, entry, `--port=${port}`, '--headless'], {
    url: `http://127.0.0.1:${port}`,
    env: { BENCH_LOOP_FILE: loopFile },
  });
  const target: LongTarget = {
    name: 'Portkey gateway',
    url: `${started.url}/v1/chat/completions`,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream },
    process: started,
    loopFile,
  };
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...target.headers },
    body: JSON.stringify({ model: 'sim-small', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await response.text();
  if (response.status === 200 && text.includes('data: [DONE]')) return target;
  await started.stop();
  return `its streaming path fails here (HTTP ${response.status}: ${text.slice(0, 80)})`;
}

/** Reads what a target's event-loop monitor wrote for the window just closed (ms), if it is a Node target. */
export async function readLoopDelay(
  target: LongTarget,
): Promise<{ p50: number; p99: number; max: number } | undefined> {
  if (!target.loopFile || !target.process) return undefined;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (existsSync(target.loopFile)) {
      try {
        return JSON.parse(readFileSync(target.loopFile, 'utf8'));
      } catch {
        // being written
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
