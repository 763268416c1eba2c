import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../contract/validator.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

/** Names every plain object answers to through Object.prototype. */
const prototypeNames = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'prototype',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
];

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
const sentModel = () => (upstream.last?.body as { model?: unknown } | undefined)?.model;

// A `*` route over a provider with a models mapping: the mapping is a plain object keyed by client names.
beforeAll(async () => {
  // It serves these names as models, so a request that reaches it with the right name is answered.
  upstream = await startSimulatedUpstream({ models: [...prototypeNames, 'upstream-4o', 'm'] });
  gateway = await startGateway({
    providers: [fastProvider('primary', upstream.baseURL, { models: { 'gpt-4o': 'upstream-4o' } })],
    routes: [
      { model: 'named', targets: [{ provider: 'primary', model: 'm' }] },
      { model: '*', targets: [{ provider: 'primary' }] },
    ],
    retry: fastRetry,
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

describe.each(prototypeNames)('model %j resolves as a name, never through Object.prototype', (name) => {
  it.each(['/v1/chat/completions', '/api/chat'])(
    '%s passes it upstream as the string it is',
    async (path) => {
      const response = await gateway.post(path, chatBody(name));
      expect(response.status).toBe(200);
      expect(sentModel()).toBe(name);
      expect(response.headers.get('x-inferwatch-provider')).toBe('primary');
    },
  );
});

describe('after every such name was sent', () => {
  it('/api/providers and /v1/models still match the served OpenAPI document', async () => {
    const document = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as Record<string, unknown>;
    const check = createResponseValidator(document);
    for (const [path, template] of [
      ['/api/providers', '/api/providers'],
      ['/v1/models', '/v1/models'],
    ] as const) {
      const response = await fetch(`${gateway.url}${path}`);
      const body = (await response.json()) as unknown;
      const checked = check('GET', template, response.status, response.headers.get('content-type'), body);
      expect(checked.problems).toEqual([]);
    }
    const providers = (await (await fetch(`${gateway.url}/api/providers`)).json()) as {
      data: { targets: { model: unknown }[] }[];
    };
    const models = providers.data.flatMap((provider) => provider.targets.map((target) => target.model));
    for (const name of prototypeNames) expect(models).toContain(name);
    expect(models.every((model) => typeof model === 'string')).toBe(true);
  });

  it('the mapping still applies to the name it holds', async () => {
    await gateway.post('/v1/chat/completions', chatBody('gpt-4o'));
    expect(sentModel()).toBe('upstream-4o');
  });

  it.each(prototypeNames)(
    'POST /api/providers/%s/probe is a 404, not a lookup on a prototype',
    async (name) => {
      const response = await gateway.post(`/api/providers/${encodeURIComponent(name)}/probe`, {});
      expect(response.status).toBe(404);
    },
  );
});

describe('the CLI command table', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    '`inferwatch %s` is an unknown command (exit 2), not a crash',
    async (name) => {
      const run = promisify(execFile)(process.execPath, ['src/main.ts', name], {
        cwd: resolve(import.meta.dirname, '../..'),
      });
      await expect(run).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`unknown command "${name}"`),
      });
    },
  );
});
