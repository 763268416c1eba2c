import { createAnthropicProvider } from './anthropic/provider.ts';
import { createAzureOpenAIProvider } from './azure/provider.ts';
import { createOpenAIProvider, type ProviderConfig, type ProviderOptions } from './openai.ts';
import type { Provider } from './types.ts';

export type ProviderFactory = (config: ProviderConfig, options?: ProviderOptions) => Provider;

/**
 * `providers[].type` → implementation, one factory signature. Adding a wire protocol is one file and one
 * row here (plus the value in the config schema's enum).
 */
export const providerFactories = {
  openai: createOpenAIProvider, // OpenAI, Ollama /v1, vLLM, OXLO, Gemini, any OpenAI-compatible base URL
  anthropic: createAnthropicProvider, // the Messages API, translated to and from OpenAI chat
  azure_openai: createAzureOpenAIProvider, // OpenAI's wire format at Azure's deployment or v1 URLs
} satisfies Record<ProviderConfig['type'], ProviderFactory>;

export function createProvider(config: ProviderConfig, options?: ProviderOptions): Provider {
  return providerFactories[config.type](config, options);
}
