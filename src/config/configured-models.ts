import { modelMappings, upstreamModel } from './model-mapping.ts';
import type { Config } from './schema.ts';

/**
 * Provider → the upstream models the config names for it: explicit route targets, named routes passed
 * through (after the provider's `models` mapping), the mapping's own targets, and the models its probes
 * ask for. A wildcard route accepts any name, but only these are "configured": the status page shows
 * rows for them and never for whatever a client happened to send.
 */
export function configuredModels(
  config: Pick<Config, 'providers' | 'routes' | 'prober'>,
): Map<string, string[]> {
  const models = new Map<string, Set<string>>(config.providers.map((provider) => [provider.name, new Set()]));
  const add = (provider: string, model: string) => models.get(provider)?.add(model);
  const mappings = modelMappings(config);
  for (const route of config.routes) {
    for (const target of route.targets) {
      // A wildcard target without its own model passes whatever the client sends: nothing to list.
      if (target.model || route.model !== '*')
        add(target.provider, upstreamModel(target, route.model, mappings));
    }
  }
  for (const provider of config.providers)
    for (const upstream of Object.values(provider.models)) add(provider.name, upstream);
  for (const target of config.prober.targets) {
    if (target.model?.provider && target.model.model) add(target.model.provider, target.model.model);
  }
  return new Map([...models].map(([provider, names]) => [provider, [...names].sort()]));
}

/**
 * A model name a request can use right now: a named route, a mapped name, the wildcard's first target
 * model, a model a probe already asks the wildcard's first provider for, or else the first one `listed`
 * (what the gateway's GET /v1/models returned). Undefined when none is known. The start-up banner's
 * example and `/api/chat` without a model both use it, so neither names a model that answers 404.
 */
export function exampleModel(
  config: Pick<Config, 'providers' | 'routes' | 'prober'>,
  listed: readonly string[] = [],
): string | undefined {
  const named = config.routes.find((route) => route.model !== '*');
  if (named) return named.model;
  const wildcard = config.routes.find((route) => route.model === '*');
  if (!wildcard) return undefined;
  const first = wildcard.targets[0];
  const provider = config.providers.find((candidate) => candidate.name === first?.provider);
  const mapped = Object.keys(provider?.models ?? {})[0];
  if (mapped) return mapped;
  if (first?.model) return first.model;
  const probe = config.prober.targets.find((target) => target.model?.provider === first?.provider);
  return probe?.model?.model ?? listed[0];
}
