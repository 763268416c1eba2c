import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { json } from './helpers.ts';

let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(simulator: Record<string, unknown>) {
  runtime = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      server: { apiKeys: ['sk-gateway'] },
      analyzer: { enabled: false },
      simulator,
    }),
    role: 'gateway',
    only: ['simulator', 'api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  const listening = await runtime.listen({ port: 0 });
  return listening.url;
}

const chat = (base: string) =>
  fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'Reply with exactly: ok' }],
    }),
  });

describe('the embedded simulator component', () => {
  it('serves instances under the mount path without the gateway key, with their own faults (set with the key)', async () => {
    const url = await start({ enabled: true });
    const primary = await chat(`${url}/simulator/primary`);
    expect(primary.status).toBe(200);
    expect((await json(primary)).choices[0].message.content).toBe('ok');
    await fetch(`${url}/simulator/_sim/backup/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-gateway' },
      body: JSON.stringify({ mode: 'outage' }),
    });
    expect((await chat(`${url}/simulator/backup`)).status).toBe(502);
    expect((await fetch(`${url}/simulator/primary/v1/models`)).status).toBe(200);
  });

  it('honours a custom mount path and is absent when disabled', async () => {
    const url = await start({ enabled: true, mountPath: '/fake' });
    expect((await chat(`${url}/fake/primary`)).status).toBe(200);
    await runtime?.stop();
    const off = await start({ enabled: false });
    // Disabled, its mount path is not public either: the gateway key is asked for, as anywhere.
    expect((await chat(`${off}/simulator/primary`)).status).toBe(401);
  });
});
