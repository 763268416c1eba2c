import { z } from 'zod';

/**
 * What a client can ask the gateway for, one value per OpenAI endpoint it serves: `chat`
 * (/v1/chat/completions), `embeddings` (/v1/embeddings), `completions` (/v1/completions, the legacy text
 * completions) and `responses` (/v1/responses). A route target serves some of them.
 */
export const operations = ['chat', 'embeddings', 'completions', 'responses'] as const;
export type Operation = (typeof operations)[number];

/** The wire protocols a provider can speak (`providers[].type`). */
export const providerTypes = ['openai', 'anthropic', 'azure_openai'] as const;
export type ProviderType = (typeof providerTypes)[number];

/**
 * What each wire protocol carries: a target serves these unless its route lists fewer. The Messages API
 * has no embeddings, text completions or Responses, so an Anthropic target serves chat only.
 */
export const operationsByType = {
  openai: operations,
  azure_openai: operations,
  anthropic: ['chat'],
} as const satisfies Record<ProviderType, readonly Operation[]>;

/** The base URL a type uses when none is configured; a type without one requires `baseURL`. */
export const defaultBaseURLs: Partial<Record<ProviderType, string>> = {
  anthropic: 'https://api.anthropic.com',
};

export const anthropicOptionsSchema = z.strictObject({
  version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a dated API version such as 2026-10-21')
    .default('2026-10-21')
    .describe(
      'The anthropic-version header. From 2026-10-21 the Messages API has no temperature, top_p or top_k, so they are left out of the translated request; 2023-06-01 sends them (models before Claude 4.7 accept them)',
    ),
  defaultMaxTokens: z
    .number()
    .int()
    .positive()
    .default(4096)
    .describe(
      'max_tokens sent when the client set neither max_tokens nor max_completion_tokens (the Messages API requires one)',
    ),
});

export const azureOptionsSchema = z.strictObject({
  apiVersion: z
    .string()
    .regex(
      /^(v1|\d{4}-\d{2}-\d{2}(-preview)?)$/,
      'v1, or a dated version such as 2024-10-21 or 2025-04-01-preview',
    )
    .default('v1')
    .describe(
      'v1 calls {baseURL}/openai/v1/... with the deployment as the model; a dated version calls {baseURL}/openai/deployments/{deployment}/...?api-version=... with the route target model as the deployment',
    ),
  auth: z
    .enum(['api-key', 'bearer'])
    .default('api-key')
    .describe(
      'How apiKey is sent: the api-key header (resource keys) or Authorization: Bearer (Entra ID tokens)',
    ),
});

/** Keys that belong to one provider type only: set on another type they would silently do nothing. */
const typeSections = { anthropic: 'anthropic', azure: 'azure_openai' } as const satisfies Record<
  string,
  ProviderType
>;

interface TypedProvider {
  type: ProviderType;
  baseURL?: string | undefined;
  anthropic?: unknown;
  azure?: unknown;
}

/** Provider keys that depend on its type, reported at the key they concern. */
export function checkProviderType(provider: TypedProvider, ctx: z.RefinementCtx): void {
  for (const [section, type] of Object.entries(typeSections)) {
    if (provider[section as keyof typeof typeSections] !== undefined && provider.type !== type) {
      ctx.addIssue({
        code: 'custom',
        path: [section],
        message: `only applies to type ${type} (this provider is type ${provider.type})`,
      });
    }
  }
  if (provider.baseURL === undefined && defaultBaseURLs[provider.type] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['baseURL'],
      message: `required (a URL) but missing: type ${provider.type} has no default base URL`,
    });
  }
  const path = provider.baseURL && URL.canParse(provider.baseURL) ? new URL(provider.baseURL).pathname : '';
  if (provider.type === 'anthropic' && /\/v1\/?$/.test(path)) {
    ctx.addIssue({
      code: 'custom',
      path: ['baseURL'],
      message:
        'give the base without /v1 for type anthropic: the gateway calls {baseURL}/v1/messages (e.g. https://api.anthropic.com)',
    });
  }
}

/** The provider with its type's default base URL filled in, so every consumer reads a URL. */
export const withDefaultBaseURL = <T extends TypedProvider>(provider: T): T & { baseURL: string } => ({
  ...provider,
  baseURL: provider.baseURL ?? defaultBaseURLs[provider.type] ?? '',
});
