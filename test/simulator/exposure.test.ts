import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

const key = 'sk-gateway';
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(simulator: Record<string, unknown>) {
  runtime = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      server: { apiKeys: [key] },
      analyzer: { enabled: false },
      simulator,
    }),
    role: 'gateway',
    only: ['simulator', 'gateway', 'api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  return (await runtime.listen({ port: 0 })).url;
}

const withKey = { authorization: `Bearer ${key}` };
const putOutage = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ mode: 'outage' }),
  });

describe('the simulator with server.apiKeys set', () => {
  it.each([
    ['PUT faults', (url: string) => putOutage(`${url}/simulator/_sim/primary/faults`)],
    ['DELETE faults', (url: string) => fetch(`${url}/simulator/_sim/primary/faults`, { method: 'DELETE' })],
    ['GET faults', (url: string) => fetch(`${url}/simulator/_sim/primary/faults`)],
    ['GET last-request', (url: string) => fetch(`${url}/simulator/_sim/primary/last-request`)],
    ['GET stats', (url: string) => fetch(`${url}/simulator/_sim/primary/stats`)],
    ['GET the instance list', (url: string) => fetch(`${url}/simulator/_sim`)],
    // express matches routes case-insensitively and ignores a trailing slash: so must the guard.
    ['PUT faults, upper case', (url: string) => putOutage(`${url}/simulator/_SIM/primary/faults`)],
    ['PUT faults, mixed-case mount', (url: string) => putOutage(`${url}/Simulator/_sim/primary/faults`)],
    ['PUT faults, trailing slash', (url: string) => putOutage(`${url}/simulator/_sim/primary/faults/`)],
  ])('%s without the key → 401', async (_name, call) => {
    const url = await start({ enabled: true });
    const response = await call(url);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    // Nothing changed: the primary still answers.
    const chat = await fetch(`${url}/simulator/primary/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(200);
  });

  it('the control endpoints work with the key', async () => {
    const url = await start({ enabled: true });
    expect((await putOutage(`${url}/simulator/_sim/primary/faults`, withKey)).status).toBe(200);
    expect((await fetch(`${url}/simulator/_sim/primary/faults`, { headers: withKey })).status).toBe(200);
    expect(
      (await fetch(`${url}/simulator/_sim/primary/faults`, { method: 'DELETE', headers: withKey })).status,
    ).toBe(200);
  });

  it('the fake provider itself stays open (the embedded providers call it without a key)', async () => {
    const url = await start({ enabled: true });
    expect((await fetch(`${url}/simulator/primary/v1/models`)).status).toBe(200);
  });

  it('a disabled simulator opens nothing: its mount path needs the key like any other path', async () => {
    const url = await start({ enabled: false, mountPath: '/sim' });
    expect((await fetch(`${url}/sim/primary/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/sim/`)).status).toBe(401);
  });
});

describe('simulator.mountPath may not overlap the server’s own paths', () => {
  it.each(['/', '/v1', '/api', '/api/x', '/ws', '/ws/events', '/status', '/v1/', '//api', '/health'])(
    '%s is rejected at validation, enabled or not',
    (mountPath) => {
      for (const enabled of [true, false]) {
        expect(() => parseConfig({ simulator: { enabled, mountPath } })).toThrow(ConfigError);
        try {
          parseConfig({ simulator: { enabled, mountPath } });
        } catch (error) {
          expect((error as ConfigError).problems.join('\n')).toMatch(/^simulator\.mountPath: /m);
        }
      }
    },
  );

  it.each(['/simulator', '/fake', '/sim/v2', '/apis', '/v1beta'])('%s is accepted', (mountPath) => {
    expect(parseConfig({ simulator: { enabled: true, mountPath } }).simulator.mountPath).toBe(mountPath);
  });

  it('inferwatch check-config names the key and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-mount-'));
    const file = join(dir, 'inferwatch.yaml');
    writeFileSync(file, 'simulator:\n  enabled: false\n  mountPath: /api\n');
    try {
      const run = promisify(execFile)(process.execPath, ['src/main.ts', 'check-config', '--config', file], {
        cwd: resolve(import.meta.dirname, '../..'),
      });
      await expect(run).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/simulator\.mountPath: .*\/api/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
