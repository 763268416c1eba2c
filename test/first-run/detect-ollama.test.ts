import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bannerLines } from '../../src/cli/banner.ts';
import { defaultOllamaURL, detectOllama, embeddedEnvironment } from '../../src/cli/detect-ollama.ts';
import { loadConfig } from '../../src/config/index.ts';

const servers: Server[] = [];

/** A stand-in for Ollama's OpenAI-compatible API: only GET /v1/models, answered as the handler says. */
async function fakeOllama(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('local Ollama detection', () => {
  it('finds an OpenAI-compatible model list', async () => {
    const baseURL = await fakeOllama((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        req.url === '/v1/models' ? JSON.stringify({ object: 'list', data: [{ id: 'llama3.2' }] }) : '{}',
      );
    });
    expect(await detectOllama({ baseURL })).toBe(true);
  });

  it.each([
    ['a 404', (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(404).end()],
    [
      'a body that is not a model list',
      (_req: unknown, res: import('node:http').ServerResponse) => res.end('<html>'),
    ],
  ])('says no to %s', async (_label, handler) => {
    expect(await detectOllama({ baseURL: await fakeOllama(handler) })).toBe(false);
  });

  it('gives up on a server that never answers within the timeout', async () => {
    const baseURL = await fakeOllama(() => {});
    const started = performance.now();
    expect(await detectOllama({ baseURL, timeoutMs: 200 })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('says no when nothing listens', async () => {
    const baseURL = await fakeOllama(() => {});
    await new Promise((resolve) => servers.pop()?.close(resolve));
    expect(await detectOllama({ baseURL })).toBe(false);
  });
});

describe('embedded defaults with real providers', () => {
  it('puts a detected local Ollama behind OpenAI', async () => {
    const probed: string[] = [];
    const { env, ollamaDetected } = await embeddedEnvironment({ OPENAI_API_KEY: 'sk-test' }, async (url) => {
      probed.push(url);
      return true;
    });
    expect(probed).toEqual([defaultOllamaURL]);
    expect(ollamaDetected).toBe(true);
    const { config } = loadConfig({ env });
    expect(config.providers.map((provider) => provider.name)).toEqual(['openai', 'ollama']);
    expect(config.routes[0]?.targets.map((target) => [target.provider, target.model])).toEqual([
      ['openai', undefined],
      ['ollama', 'llama3.2'],
    ]);
  });

  it('does not probe without an OpenAI key, nor when OLLAMA_BASE_URL already says where Ollama is', async () => {
    const never = async () => {
      throw new Error('should not probe');
    };
    expect((await embeddedEnvironment({}, never)).ollamaDetected).toBe(false);
    const given = await embeddedEnvironment(
      { OPENAI_API_KEY: 'k', OLLAMA_BASE_URL: 'http://10.0.0.5:11434/v1' },
      never,
    );
    expect(given.env.OLLAMA_BASE_URL).toBe('http://10.0.0.5:11434/v1');
  });

  it('tells a new user how to point inferwatch at real providers when it runs on the simulator', () => {
    const loaded = loadConfig({ env: {} });
    const lines = bannerLines({
      role: 'start',
      url: 'http://127.0.0.1:8080',
      loaded,
      ollamaDetected: false,
      telemetryMode: 'off',
      components: ['simulator', 'gateway', 'api', 'status-page'],
    });
    expect(lines[0]).toMatch(/^inferwatch \S+ — start listening on http:\/\/127\.0\.0\.1:8080$/);
    expect(lines).toContain(
      '  status page: http://127.0.0.1:8080/ (live providers, breakers, failovers, probes and alerts)',
    );
    expect(lines.join('\n')).toMatch(/two built-in simulated providers \(sim-primary → sim-backup\)/);
    expect(lines.join('\n')).toMatch(
      /real providers: set OPENAI_API_KEY .* or pass --config inferwatch\.yaml/,
    );
  });

  it('names the providers and the missing fallback when OpenAI is configured from the environment', () => {
    const loaded = loadConfig({ env: { OPENAI_API_KEY: 'sk-test' } });
    const lines = bannerLines({
      role: 'start',
      url: 'http://127.0.0.1:8080',
      loaded,
      ollamaDetected: false,
      telemetryMode: 'off',
      components: ['gateway', 'api', 'status-page'],
    });
    expect(lines).toContain('  providers: openai (https://api.openai.com/v1)');
    expect(lines).toContain('  route *: openai');
    expect(lines.join('\n')).toContain('fallback: none (no Ollama answered at http://127.0.0.1:11434/v1');
  });
});
