import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { bannerLines, describeRoute, exampleModel } from '../../src/cli/banner.ts';
import { type LoadedConfig, parseConfig } from '../../src/config/index.ts';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator } from '../../src/simulator/index.ts';

const loaded = (tree: Record<string, unknown>): LoadedConfig => ({
  config: parseConfig(tree),
  source: 'inferwatch.yaml',
  embedded: false,
  notes: [],
});
const provider = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  baseURL: `http://127.0.0.1:1/${name}/v1`,
  ...extra,
});

describe('the start-up banner', () => {
  it('prints every route as configured, load-shared targets joined by +', () => {
    const { config } = loaded({
      providers: [provider('openai'), provider('ollama')],
      routes: [
        { model: '*', targets: [{ provider: 'openai' }, { provider: 'ollama', model: 'llama3.2' }] },
        {
          model: 'balanced',
          targets: [
            { provider: 'openai', model: 'gpt-4o-mini', priority: 0, weight: 3 },
            { provider: 'ollama', model: 'llama3.2', priority: 0, weight: 1 },
          ],
        },
      ],
    });
    expect(config.routes.map(describeRoute)).toEqual([
      'route *: openai → ollama/llama3.2',
      'route balanced: openai/gpt-4o-mini + ollama/llama3.2 (+ = shared by weight)',
    ]);
  });

  it.each([
    [
      'a named route',
      { routes: [{ model: 'fast', targets: [{ provider: 'p' }] }], providers: [provider('p')] },
      'fast',
    ],
    [
      'a mapped name on the wildcard route',
      {
        routes: [{ model: '*', targets: [{ provider: 'p' }] }],
        providers: [provider('p', { models: { small: 'm-1' } })],
      },
      'small',
    ],
    [
      'the model a probe already asks the first provider for',
      {
        routes: [{ model: '*', targets: [{ provider: 'p' }] }],
        providers: [provider('p')],
        prober: { targets: [{ name: 'p-chat', model: { provider: 'p', model: 'm-2' } }] },
      },
      'm-2',
    ],
  ])('suggests %s, never a hard-coded one', (_label, tree, model) => {
    expect(exampleModel(loaded(tree).config)).toBe(model);
  });

  it('names every way telemetry leaves the process, and says off only when none does', () => {
    const line = (mode: 'otlp' | 'console' | 'off', prometheusURL?: string) =>
      bannerLines({
        role: 'gateway',
        url: 'http://127.0.0.1:9',
        loaded: loaded({
          routes: [],
          providers: [provider('p')],
          telemetry: { otlpEndpoint: 'http://collector:4318' },
        }),
        ollamaDetected: false,
        telemetryMode: mode,
        prometheusURL,
        components: ['gateway'],
      }).find((text) => text.startsWith('  telemetry: '));
    expect(line('off')).toBe('  telemetry: off (set telemetry.otlpEndpoint or INFERWATCH_OTLP_ENDPOINT)');
    expect(line('off', 'http://127.0.0.1:9464/metrics')).toBe(
      '  telemetry: Prometheus scrape at http://127.0.0.1:9464/metrics (metrics only; traces and logs need telemetry.otlpEndpoint)',
    );
    expect(line('otlp', 'http://127.0.0.1:9464/metrics')).toBe(
      '  telemetry: OTLP → http://collector:4318, Prometheus scrape at http://127.0.0.1:9464/metrics',
    );
    expect(line('otlp')).toBe('  telemetry: OTLP → http://collector:4318');
  });

  it('falls back to what the gateway lists, and to the model list itself when nothing is known', () => {
    const { config } = loaded({
      routes: [{ model: '*', targets: [{ provider: 'p' }] }],
      providers: [provider('p')],
    });
    expect(exampleModel(config, ['listed-1'])).toBe('listed-1');
    const lines = bannerLines({
      role: 'gateway',
      url: 'http://127.0.0.1:9',
      loaded: loaded({ routes: [{ model: '*', targets: [{ provider: 'p' }] }], providers: [provider('p')] }),
      ollamaDetected: false,
      telemetryMode: 'off',
      components: ['gateway', 'api'],
    });
    expect(lines).toContain(
      '  try it: curl -s http://127.0.0.1:9/v1/models   (no model name is configured; pick one from this list)',
    );
    expect(lines.join('\n')).not.toContain('gpt-4o-mini');
  });
});

describe('the banner of a gateway started from a config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-banner-'));
  let upstream: Listening | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('suggests a curl that works: the model comes from the upstream the wildcard route serves', async () => {
    const simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0, models: ['only-this-one'] });
    upstream = await listen(simulator.app);
    const file = join(dir, 'inferwatch.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        providers: [{ name: 'upstream', baseURL: `${upstream.url}/v1`, healthCheck: 'none' }],
        routes: [{ model: '*', targets: [{ provider: 'upstream' }] }],
        prober: { enabled: false },
        analyzer: { enabled: false },
        store: { path: ':memory:' },
        // Only the scrape endpoint: the banner must not call that "telemetry: off".
        telemetry: { prometheus: { enabled: true, port: 0 } },
      }),
    );
    const port = await freePort();
    let stderr = '';
    child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../../src/main.ts', import.meta.url)),
        'gateway',
        '--config',
        file,
        '--port',
        String(port),
      ],
      { env: { ...process.env, INFERWATCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await vi.waitFor(
      () => {
        if (child?.exitCode !== null) throw new Error(`exited:\n${stderr}`);
        if (!stderr.includes('components: ')) throw new Error('not started yet');
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(stderr).toContain('  route *: upstream\n');
    const scrape = /telemetry: Prometheus scrape at (http:\/\/127\.0\.0\.1:\d+\/metrics) \(metrics only/.exec(
      stderr,
    )?.[1];
    expect(scrape, stderr).toBeDefined();
    expect((await fetch(scrape ?? '')).status).toBe(200);
    const body = /-d '(\{.*\})'/.exec(stderr)?.[1];
    expect(JSON.parse(body ?? '{}')).toMatchObject({ model: 'only-this-one' });
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
  }, 45_000);
});
