import { operationsByType } from './provider-types.ts';
import type { Config } from './schema.ts';

/** Checks that span several keys (references between sections), reported in the same `path: reason` form. */
export function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  const providerNames = new Set<string>();
  const providerTypes = new Map<string, Config['providers'][number]['type']>();
  config.providers.forEach((provider, index) => {
    if (providerNames.has(provider.name))
      problems.push(`providers.${index}.name: duplicate provider "${provider.name}"`);
    providerNames.add(provider.name);
    providerTypes.set(provider.name, provider.type);
  });
  const routeModels = new Set<string>();
  config.routes.forEach((route, routeIndex) => {
    if (routeModels.has(route.model))
      problems.push(`routes.${routeIndex}.model: duplicate route "${route.model}"`);
    routeModels.add(route.model);
    route.targets.forEach((target, targetIndex) => {
      if (!providerNames.has(target.provider)) {
        problems.push(
          `routes.${routeIndex}.targets.${targetIndex}.provider: unknown provider "${target.provider}"`,
        );
      }
      const type = providerTypes.get(target.provider);
      const carried: readonly string[] = type ? operationsByType[type] : [];
      const beyond = type
        ? (target.operations ?? []).filter((operation) => !carried.includes(operation))
        : [];
      if (beyond.length > 0) {
        problems.push(
          `routes.${routeIndex}.targets.${targetIndex}.operations: provider "${target.provider}" (type ${type}) cannot serve ${beyond.join(', ')}; it serves ${carried.join(', ')}`,
        );
      }
    });
  });
  config.prober.targets.forEach((target, index) => {
    const kinds = [target.http, target.model].filter(Boolean).length;
    if (kinds !== 1) problems.push(`prober.targets.${index}: set exactly one of "http" or "model"`);
    const provider = target.model?.provider;
    if (provider !== undefined && !providerNames.has(provider)) {
      problems.push(`prober.targets.${index}.model.provider: unknown provider "${provider}"`);
    }
    const probedType = provider === undefined ? undefined : providerTypes.get(provider);
    // A model probe speaks OpenAI's chat wire format straight to the provider's base URL.
    if (probedType !== undefined && probedType !== 'openai') {
      problems.push(
        `prober.targets.${index}.model.provider: provider "${provider}" is type ${probedType}, and model probes speak the OpenAI wire format; probe it through the gateway instead (model.baseURL: self with a route whose first target is "${provider}")`,
      );
    }
    if (target.model && !target.model.provider && !target.model.baseURL) {
      problems.push(`prober.targets.${index}.model: set "provider" or "baseURL"`);
    }
  });
  // Keys say the operator wants callers authenticated; an open webhook beside them would let anyone who
  // reaches the port page on-call and have the analyzer query Prometheus with an alert's expression.
  const { analyzer } = config;
  if (
    config.server.apiKeys.length > 0 &&
    analyzer.enabled &&
    !analyzer.webhookToken &&
    !analyzer.allowUnauthenticatedWebhook
  ) {
    problems.push(
      'analyzer.webhookToken: server.apiKeys is set but the Alertmanager webhook has no token, so it would accept alerts from anyone; set analyzer.webhookToken (INFERWATCH_WEBHOOK_TOKEN), or analyzer.allowUnauthenticatedWebhook: true to keep it open on purpose, or analyzer.enabled: false where this process does not receive alerts',
    );
  }
  const targetNames = new Set<string>();
  config.prober.targets.forEach((target, index) => {
    if (targetNames.has(target.name))
      problems.push(`prober.targets.${index}.name: duplicate target "${target.name}"`);
    targetNames.add(target.name);
  });
  return problems;
}
