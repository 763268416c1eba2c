import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesAny, presentedToken } from '../../src/http/index.ts';
import { type Embedded, startEmbedded } from '../contract/embedded.ts';

describe('matchesAny (constant-time secret comparison)', () => {
  it.each([
    ['the one configured secret', 'alpha', ['alpha'], true],
    ['any of several, wherever it sits', 'gamma', ['alpha', 'beta', 'gamma'], true],
    ['a wrong secret', 'alphb', ['alpha'], false],
    ['a prefix of the secret', 'alph', ['alpha'], false],
    ['the secret with a suffix', 'alpha1', ['alpha'], false],
    ['a different case', 'ALPHA', ['alpha'], false],
    ['an empty presented value', '', ['alpha'], false],
    ['nothing presented', undefined, ['alpha'], false],
    ['no secrets configured', 'alpha', [], false],
    ['very long input against a short secret', 'a'.repeat(100_000), ['alpha'], false],
    ['unicode secrets byte for byte', 'clé-🔑', ['clé-🔑'], true],
  ] as const)('%s', (_title, presented, secrets, expected) => {
    expect(matchesAny(presented, secrets)).toBe(expected);
  });

  it('reads the token from Bearer, x-api-key or api-key, and nothing else', () => {
    expect(presentedToken({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedToken({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(presentedToken({ 'x-api-key': 'abc' })).toBe('abc');
    expect(presentedToken({ 'api-key': 'abc' })).toBe('abc');
    expect(presentedToken({ authorization: 'Basic YWJj' })).toBeUndefined();
    expect(presentedToken({ cookie: 'key=abc' })).toBeUndefined();
  });
});

let server: Embedded;
const key = 'headers-test-key';
beforeAll(async () => {
  server = await startEmbedded({
    overrides: {
      server: { apiKeys: [key], maxBodyBytes: 1024 },
      analyzer: { webhookToken: 'tok', notify: [] },
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

const auth = { authorization: `Bearer ${key}` };
const json = { ...auth, 'content-type': 'application/json' };

describe('security headers on every response', () => {
  it.each([
    ['liveness', 'GET', '/health', {}, undefined, 200],
    ['the status page', 'GET', '/', {}, undefined, 200],
    ['the OpenAPI document', 'GET', '/openapi.json', {}, undefined, 200],
    ['an API read', 'GET', '/api/providers', auth, undefined, 200],
    [
      'a chat completion',
      'POST',
      '/v1/chat/completions',
      json,
      '{"model":"sim-small","messages":[{"role":"user","content":"hi"}]}',
      200,
    ],
    [
      'a stream',
      'POST',
      '/v1/chat/completions',
      json,
      '{"model":"sim-small","messages":[{"role":"user","content":"hi"}],"stream":true}',
      200,
    ],
    ['a missing key', 'GET', '/api/providers', {}, undefined, 401],
    ['a wrong webhook token', 'POST', '/api/alertmanager', { authorization: 'Bearer no' }, '{}', 401],
    ['an unknown path', 'GET', '/nope', auth, undefined, 404],
    ['an unknown path without a key', 'GET', '/nope', {}, undefined, 401],
    ['invalid JSON', 'POST', '/v1/chat/completions', json, '{', 400],
    ['a body over the limit', 'POST', '/v1/chat/completions', json, `{"x":"${'a'.repeat(2048)}"}`, 413],
    [
      'an upstream failure',
      'POST',
      '/v1/chat/completions',
      json,
      '{"model":"fault-auth","messages":[{"role":"user","content":"hi"}]}',
      502,
    ],
  ] as const)('%s (%s %s)', async (_title, method, path, headers, body, status) => {
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    await response.arrayBuffer();
    expect(response.status).toBe(status);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
