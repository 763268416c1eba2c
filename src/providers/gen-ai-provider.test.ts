import { describe, expect, it } from 'vitest';
import { genAiProviderName } from './gen-ai-provider.ts';

describe('genAiProviderName', () => {
  it('names the vendor of the API a provider type speaks when its host is not a well-known one', () => {
    const local = 'http://127.0.0.1:8080/v1';
    expect(genAiProviderName({ type: 'openai', baseURL: local })).toBe('openai');
    expect(genAiProviderName({ type: 'anthropic', baseURL: local })).toBe('anthropic');
    expect(genAiProviderName({ type: 'azure_openai', baseURL: local })).toBe('azure.ai.openai');
  });

  it('prefers a well-known host to the type, and the configured name to both', () => {
    expect(genAiProviderName({ type: 'openai', baseURL: 'https://api.anthropic.com/v1' })).toBe('anthropic');
    expect(genAiProviderName({ type: 'azure_openai', baseURL: 'https://res.openai.azure.com' })).toBe(
      'azure.ai.openai',
    );
    expect(
      genAiProviderName({
        type: 'anthropic',
        baseURL: 'http://127.0.0.1:1',
        genAiProviderName: 'aws.bedrock',
      }),
    ).toBe('aws.bedrock');
  });
});
