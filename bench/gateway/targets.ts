import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { type Started, startProcess } from './processes.ts';

const node = process.execPath;

/** The request every gateway benchmark sends, so figures from run.ts and cpu-per-request.ts compare. */
export const chatBody = {
  model: 'sim-small',
  messages: [{ role: 'user', content: 'Say hello in a dozen words.' }],
  max_tokens: 32,
};
export const streamBody = { ...chatBody, stream: true };

/**
 * The simulator as a fast, fixed upstream (10 ms to first token, 1000 tokens/s), so differences between
 * targets are the proxies' own cost rather than the simulator's timers.
 */
export async function startSimulator(): Promise<Started & { port: number }> {
  const port = await freePort();
  const args = [
    'src/main.ts',
    'simulate',
    '--port',
    String(port),
    '--ttft-ms',
    '10',
    '--tokens-per-second',
    '1000',
  ];
  const started = await startProcess('simulator', node, args, {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/v1/models`,
  });
  return { ...started, port };
}

/** bench/gateway/bare-proxy.ts in front of `upstream` (a base URL ending in /v1). */
export async function startBareProxy(upstream: string): Promise<Started> {
  const port = await freePort();
  return startProcess('bare proxy', node, ['bench/gateway/bare-proxy.ts', String(port), upstream], {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/v1/models`,
  });
}

/**
 * `inferwatch gateway` routing every model to the simulator's primary, then its backup; telemetry goes to
 * `otlpEndpoint` when given and is off otherwise.
 */
export async function startGateway(
  simPort: number,
  { name, work, otlpEndpoint }: { name: string; work: string; otlpEndpoint?: string | undefined },
): Promise<Started> {
  const port = await freePort();
  const config = join(work, `${name}.yaml`);
  writeFileSync(
    config,
    [
      `server: { port: ${port} }`,
      otlpEndpoint ? `telemetry: { otlpEndpoint: "${otlpEndpoint}", exportIntervalMs: 5000 }` : '',
      `store: { path: "${join(work, `${name}.db`)}" }`,
      'log: { level: warn }',
      'providers:',
      `  - { name: sim-a, baseURL: "http://127.0.0.1:${simPort}/primary/v1" }`,
      `  - { name: sim-b, baseURL: "http://127.0.0.1:${simPort}/backup/v1" }`,
      'routes:',
      '  - { model: "*", targets: [{ provider: sim-a }, { provider: sim-b }] }',
      'prober: { enabled: false }',
      '',
    ].join('\n'),
  );
  return startProcess(name, node, ['src/main.ts', 'gateway', '--config', config], {
    url: `http://127.0.0.1:${port}`,
    readyURL: `http://127.0.0.1:${port}/health`,
  });
}
