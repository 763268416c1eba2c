import { createOpenAIProvider, type ProviderConfig, type ProviderOptions } from './openai.ts';
import type { Provider } from './types.ts';

export type ProviderFactory = (config: ProviderConfig, options?: ProviderOptions) => Provider;

/**
 * `providers[].type` → implementation, one factory signature. Adding a wire protocol is one file and one
 * row here (plus the value in the config schema's enum).
 */
export const providerFactories = {
  openai: createOpenAIProvider, // OpenAI, Ollama /v1, vLLM, OXLO, any OpenAI-compatible base URL
} satisfies Record<ProviderConfig['type'], ProviderFactory>;

export function createProvider(config: ProviderConfig, options?: ProviderOptions): Provider {
  return providerFactories[config.type](config, options);
}
