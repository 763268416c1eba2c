import type { Attributes } from '@opentelemetry/api';
import type { Config } from '../config/index.ts';
import { genAiProviderName, serverOf } from '../providers/index.ts';
import { semconv as n } from '../telemetry/index.ts';

export interface ProviderAttributes {
  /** `inferwatch.provider.name` (the configured name) and `gen_ai.provider.name` (the vendor). */
  names: Attributes;
  /** The names plus `server.address` and `server.port`: GenAI client spans and metrics. */
  withServer: Attributes;
}

/**
 * The attributes that identify each configured provider on spans and metrics, computed once from the
 * config: the operator's own name is `inferwatch.provider.name`; `gen_ai.provider.name` carries the
 * well-known value the GenAI conventions define (openai, azure.ai.openai, anthropic, ...).
 */
export function createProviderAttributes(
  providers: Config['providers'],
): (provider: string) => ProviderAttributes {
  const table = new Map<string, ProviderAttributes>();
  for (const provider of providers) {
    const names = {
      [n.ATTR_PROVIDER_NAME]: provider.name,
      [n.ATTR_GEN_AI_PROVIDER_NAME]: genAiProviderName(provider),
    };
    const server = serverOf(provider.baseURL);
    table.set(provider.name, {
      names,
      withServer: server
        ? { ...names, [n.ATTR_SERVER_ADDRESS]: server.address, [n.ATTR_SERVER_PORT]: server.port }
        : names,
    });
  }
  return (provider) => {
    const found = table.get(provider);
    if (found) return found;
    // Only configured providers are routed to; anything else is a bug, and still gets a bounded label.
    const names = { [n.ATTR_PROVIDER_NAME]: provider, [n.ATTR_GEN_AI_PROVIDER_NAME]: '_OTHER' };
    return { names, withServer: names };
  };
}
