import type { Config } from './schema.ts';

/** Provider name → its `models` mapping (client model name → upstream model name). */
export type ModelMappings = ReadonlyMap<string, Readonly<Record<string, string>>>;

export const modelMappings = (config: Pick<Config, 'providers'>): ModelMappings =>
  new Map(config.providers.map((provider) => [provider.name, provider.models]));

/**
 * The model a route target asks its provider for when a client asks for `clientModel`: the target's own
 * model, else the provider's mapping of the client's name, else the client's name unchanged. The gateway
 * routes with it and the status page and start-up banner list models with it, so they cannot disagree.
 * Own keys only: a client name such as "constructor" must not resolve through Object.prototype.
 */
export function upstreamModel(
  target: { provider: string; model?: string | undefined },
  clientModel: string,
  mappings: ModelMappings,
): string {
  if (target.model) return target.model;
  const models = mappings.get(target.provider);
  return models && Object.hasOwn(models, clientModel) ? (models[clientModel] as string) : clientModel;
}
