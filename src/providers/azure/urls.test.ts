import { describe, expect, it } from 'vitest';
import { azureAuthHeaders, azurePaths } from './urls.ts';

describe('Azure OpenAI URLs', () => {
  const dated = azurePaths('https://my.openai.azure.com', { apiVersion: '2024-10-21', auth: 'api-key' });
  const v1 = azurePaths('https://my.openai.azure.com/', { apiVersion: 'v1', auth: 'api-key' });

  it.each([
    ['chat', '/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-10-21'],
    ['embeddings', '/openai/deployments/gpt-4o-eu/embeddings?api-version=2024-10-21'],
    ['completions', '/openai/deployments/gpt-4o-eu/completions?api-version=2024-10-21'],
    ['responses', '/openai/responses?api-version=2024-10-21'],
    ['models', '/openai/models?api-version=2024-10-21'],
  ] as const)('a dated API version addresses %s at %s', (what, path) => {
    expect(dated(what, 'gpt-4o-eu')).toBe(path);
  });

  it.each([
    ['chat', '/openai/v1/chat/completions'],
    ['embeddings', '/openai/v1/embeddings'],
    ['completions', '/openai/v1/completions'],
    ['responses', '/openai/v1/responses'],
    ['models', '/openai/v1/models'],
  ] as const)('the v1 API addresses %s at %s, the deployment going in the body', (what, path) => {
    expect(v1(what, 'gpt-4o-eu')).toBe(path);
  });

  it('uses a base that already ends in /openai/v1 as given, and keeps a path prefix before /openai', () => {
    expect(
      azurePaths('https://gw.example/azure/openai/v1', { apiVersion: '2024-10-21', auth: 'api-key' })(
        'chat',
        'd',
      ),
    ).toBe('/azure/openai/v1/chat/completions');
    expect(
      azurePaths('https://gw.example/azure/openai', { apiVersion: 'v1', auth: 'api-key' })('embeddings', 'd'),
    ).toBe('/azure/openai/v1/embeddings');
  });

  it('escapes a deployment name in the path', () => {
    expect(dated('chat', 'a/b c')).toBe(
      '/openai/deployments/a%2Fb%20c/chat/completions?api-version=2024-10-21',
    );
  });

  it('sends a resource key as api-key and an Entra ID token as a bearer token', () => {
    expect(azureAuthHeaders('k', 'api-key')).toEqual({ 'api-key': 'k' });
    expect(azureAuthHeaders('t', 'bearer')).toEqual({ authorization: 'Bearer t' });
    expect(azureAuthHeaders(undefined, 'api-key')).toEqual({});
  });
});
