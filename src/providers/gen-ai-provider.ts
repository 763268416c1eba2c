import type { ProviderConfig } from './openai.ts';

/**
 * `gen_ai.provider.name` per wire protocol: the vendor whose API the protocol is. The GenAI semantic
 * conventions use the attribute as a discriminator (which `openai.*`, `aws.bedrock.*` ... attributes to
 * expect), set "from the instrumentation's best knowledge", so an OpenAI-compatible server we cannot
 * place (Ollama, vLLM, a proxy) reports `openai`, the API it speaks.
 */
export const genAiProviderByType = {
  openai: 'openai',
} as const satisfies Record<ProviderConfig['type'], string>;

/**
 * Well-known services by host name (the host, or a domain it ends in), for OpenAI-compatible base URLs
 * that do belong to a vendor with a well-known value of its own. One row per service.
 */
const wellKnownHosts: readonly [host: string, name: string][] = [
  ['api.openai.com', 'openai'],
  ['openai.azure.com', 'azure.ai.openai'], // {resource}.openai.azure.com
  ['services.ai.azure.com', 'azure.ai.inference'], // Azure AI Foundry model inference
  ['models.inference.ai.azure.com', 'azure.ai.inference'],
  ['api.anthropic.com', 'anthropic'],
  ['api.groq.com', 'groq'],
  ['api.deepseek.com', 'deepseek'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.x.ai', 'x_ai'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.cohere.com', 'cohere'],
  ['api.cohere.ai', 'cohere'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
  ['aiplatform.googleapis.com', 'gcp.vertex_ai'], // {region}-aiplatform.googleapis.com
  ['api.moonshot.ai', 'moonshot_ai'],
  ['api.moonshot.cn', 'moonshot_ai'],
];

const hostMatches = (host: string, known: string) =>
  host === known || host.endsWith(`.${known}`) || host.endsWith(`-${known}`);

/** What a provider reports as `gen_ai.provider.name`: configured, else its host if well known, else its type's. */
export function genAiProviderName(provider: {
  type: ProviderConfig['type'];
  baseURL: string;
  genAiProviderName?: string | undefined;
}): string {
  if (provider.genAiProviderName) return provider.genAiProviderName;
  const host = hostOf(provider.baseURL);
  const known = host && wellKnownHosts.find(([name]) => hostMatches(host, name));
  return known ? known[1] : genAiProviderByType[provider.type];
}

/** `server.address` and `server.port` of an upstream base URL (the port the scheme implies when unset). */
export function serverOf(baseURL: string): { address: string; port: number } | undefined {
  try {
    const url = new URL(baseURL);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { address: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

const hostOf = (baseURL: string) => serverOf(baseURL)?.address.toLowerCase();
