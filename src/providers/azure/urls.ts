import type { Operation } from '../../config/provider-types.ts';
import { operationPaths } from '../operation-paths.ts';

export interface AzureOptions {
  apiVersion: string;
  auth: 'api-key' | 'bearer';
}

/** Where a request goes: the path (with its query) on the resource's origin. */
export type AzurePath = (what: Operation | 'models', deployment: string) => string;

/** Operations Azure addresses by deployment in the URL; the Responses API takes the deployment as `model`. */
const byDeployment = new Set<Operation | 'models'>(['chat', 'embeddings', 'completions']);

/**
 * Azure OpenAI's two URL schemes. The v1 API (`{endpoint}/openai/v1/chat/completions`) is OpenAI's own
 * paths with the deployment name as the model; a dated API version addresses the deployment in the path
 * (`{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21`). A base URL
 * that already ends in /openai/v1 is used as given.
 */
export function azurePaths(baseURL: string, options: AzureOptions): AzurePath {
  const path = new URL(baseURL).pathname.replace(/\/+$/, '');
  if (/\/openai\/v1$/.test(path))
    return (what) => `${path}${what === 'models' ? '/models' : operationPaths[what]}`;
  const root = path.replace(/\/openai$/, '');
  if (options.apiVersion === 'v1') {
    return (what) => `${root}/openai/v1${what === 'models' ? '/models' : operationPaths[what]}`;
  }
  const query = `?api-version=${encodeURIComponent(options.apiVersion)}`;
  return (what, deployment) => {
    if (what === 'models') return `${root}/openai/models${query}`;
    const endpoint = operationPaths[what];
    return byDeployment.has(what)
      ? `${root}/openai/deployments/${encodeURIComponent(deployment)}${endpoint}${query}`
      : `${root}/openai${endpoint}${query}`;
  };
}

/** The credential header: a resource key as `api-key`, an Entra ID token as a bearer token. */
export function azureAuthHeaders(
  apiKey: string | undefined,
  auth: AzureOptions['auth'],
): Record<string, string> {
  if (!apiKey) return {};
  return auth === 'bearer' ? { authorization: `Bearer ${apiKey}` } : { 'api-key': apiKey };
}
