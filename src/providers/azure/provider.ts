import type { Operation } from '../../config/provider-types.ts';
import { createOpenAIProvider, type ProviderConfig, type ProviderOptions } from '../openai.ts';
import { operationPaths } from '../operation-paths.ts';
import type { Provider } from '../types.ts';
import { azureAuthHeaders, azurePaths } from './urls.ts';

/** What a provider of type azure_openai uses when its `azure:` section is left out (the schema's defaults). */
const defaults = { apiVersion: 'v1', auth: 'api-key' } as const;

/** OpenAI path → the operation Azure addresses it as. */
const operationOf = new Map<string, Operation | 'models'>([
  ...Object.entries(operationPaths).map(([operation, path]) => [path, operation as Operation] as const),
  ['/models', 'models'],
]);

/**
 * Azure OpenAI speaks OpenAI's bodies, answers, streams and errors (content filtering included, as
 * `finish_reason: content_filter` or a 400 `content_filter` error), so it is the OpenAI provider with
 * Azure's URLs and credential header: the deployment (the route target's model) goes into the path under
 * a dated API version, or stays the body's model under the v1 API.
 */
export function createAzureOpenAIProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const azure = { ...defaults, ...config.azure };
  const pathOf = azurePaths(config.baseURL, azure);
  return createOpenAIProvider(
    {
      ...config,
      apiKey: undefined,
      headers: { ...azureAuthHeaders(config.apiKey, azure.auth), ...config.headers },
    },
    {
      ...options,
      resolvePath(path, body) {
        const operation = operationOf.get(path);
        if (operation === undefined) throw new Error(`no Azure OpenAI path for ${path}`);
        return pathOf(operation, typeof body.model === 'string' ? body.model : '');
      },
    },
  );
}
