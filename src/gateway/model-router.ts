import { type Config, modelMappings, upstreamModel } from '../config/index.ts';
import { type Operation, operationsByType } from '../config/provider-types.ts';

export interface Target {
  provider: string;
  /** The model name sent upstream. */
  model: string;
  /** `provider/model`: the circuit breaker and statistics key. */
  key: string;
}

export interface ModelRouter {
  /** The ordered chain for a client model, or undefined when no route matches. */
  resolve(clientModel: string): Target[] | undefined;
  /** The chain's targets that serve `operation`, or undefined when none does (or no route matches). */
  resolveFor(clientModel: string, operation: Operation): Target[] | undefined;
  /** Client-facing model names this gateway advertises (GET /v1/models). */
  models(): string[];
  /** A bounded metric label for a client model: a known name as is, anything else `*` or `unrouted`. */
  label(clientModel: string): string;
}

type Route = Config['routes'][number];
type RouteTarget = Route['targets'][number];

/**
 * Client model → ordered chain. An exact route wins over `*`. Targets run by ascending priority; equal
 * priorities are ordered by a weighted random draw per request (load balancing), using the injected
 * `random` so tests can pin the order.
 */
export function createModelRouter(
  config: Pick<Config, 'routes' | 'providers'>,
  random: () => number,
): ModelRouter {
  // Priority groups are fixed by the config, so they are sorted once here rather than on every request.
  const grouped = (route: Route) => {
    const byPriority = new Map<number, RouteTarget[]>();
    for (const [index, target] of route.targets.entries()) {
      // Without an explicit priority the list order is the chain; equal explicit priorities share load.
      const priority = target.priority ?? index;
      byPriority.set(priority, [...(byPriority.get(priority) ?? []), target]);
    }
    return [...byPriority.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
  };
  const exact = new Map(
    config.routes.filter((route) => route.model !== '*').map((route) => [route.model, grouped(route)]),
  );
  const wildcardRoute = config.routes.find((route) => route.model === '*');
  const wildcard = wildcardRoute ? grouped(wildcardRoute) : undefined;
  const mappings = modelMappings(config);
  const carried = new Map<string, readonly Operation[]>(
    config.providers.map((provider) => [provider.name, operationsByType[provider.type ?? 'openai']]),
  );
  // What a target serves: its `operations`, else everything its provider's type carries.
  const serves = (target: RouteTarget, operation: Operation) =>
    (target.operations ?? carried.get(target.provider) ?? []).includes(operation);

  const known = new Set(config.providers.flatMap((provider) => Object.keys(provider.models)));

  const resolve = (clientModel: string, operation?: Operation): Target[] | undefined => {
    const groups = exact.get(clientModel) ?? wildcard;
    if (!groups) return undefined;
    const chain: Target[] = [];
    for (const group of groups) {
      const serving = operation === undefined ? group : group.filter((target) => serves(target, operation));
      for (const target of weightedOrder(serving, random)) {
        const model = upstreamModel(target, clientModel, mappings);
        chain.push({ provider: target.provider, model, key: `${target.provider}/${model}` });
      }
    }
    return chain;
  };

  return {
    resolve: (clientModel) => resolve(clientModel),
    resolveFor(clientModel, operation) {
      const chain = resolve(clientModel, operation);
      return chain && chain.length > 0 ? chain : undefined;
    },
    label(clientModel) {
      if (exact.has(clientModel) || known.has(clientModel)) return clientModel;
      return wildcard ? '*' : 'unrouted';
    },
    models() {
      const names = new Set<string>(exact.keys());
      for (const models of mappings.values()) for (const name of Object.keys(models)) names.add(name);
      return [...names];
    },
  };
}

/** Weighted random order without replacement; a single target (the common case) costs nothing. */
function weightedOrder(group: RouteTarget[], random: () => number): RouteTarget[] {
  if (group.length < 2) return group;
  const left = [...group];
  const out: RouteTarget[] = [];
  while (left.length > 0) {
    const sum = left.reduce((total, target) => total + target.weight, 0);
    let draw = random() * sum;
    let index = left.findIndex((target) => {
      draw -= target.weight;
      return draw < 0;
    });
    if (index === -1) index = left.length - 1;
    out.push(...left.splice(index, 1));
  }
  return out;
}
