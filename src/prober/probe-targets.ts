import { type Config, ConfigError } from '../config/index.ts';
import type { ProbeTargetConfig } from '../config/prober-schema.ts';
import { genAiProviderName } from '../providers/index.ts';
import type { CheckKind, CheckSpec } from './checks/index.ts';
import { parseConditions } from './conditions.ts';

/** A configured target with its defaults applied and its endpoint resolved: what the scheduler runs. */
export interface ProbeTarget {
  name: string;
  kind: CheckKind;
  intervalMs: number;
  failureThreshold: number;
  recoveryThreshold: number;
  latencyThresholdMs?: number | undefined;
  ttftThresholdMs?: number | undefined;
  /** Model name for model checks (a bounded label: it comes from config). */
  model?: string | undefined;
  check: CheckSpec;
}

function resolveCheck(
  target: ProbeTargetConfig,
  index: number,
  config: Config,
  selfURL: () => string,
): CheckSpec {
  if (target.http) {
    const parsedConditions = target.http.conditions.flatMap((source) => {
      const parsed = parseConditions(source);
      return parsed.ok ? parsed.conditions : []; // the schema already rejected bad ones
    });
    return { kind: 'http', spec: { ...target.http, parsedConditions } };
  }
  const model = target.model;
  if (!model) throw new ConfigError('prober', [`prober.targets.${index}: needs http or model`]);
  const provider = model.provider
    ? config.providers.find((candidate) => candidate.name === model.provider)
    : undefined;
  if (model.provider && !provider) {
    throw new ConfigError('prober', [
      `prober.targets.${index}.model.provider: unknown provider "${model.provider}" (known: ${config.providers.map((p) => p.name).join(', ') || 'none'})`,
    ]);
  }
  if (!provider && !model.baseURL) {
    throw new ConfigError('prober', [
      `prober.targets.${index}.model: set provider, baseURL or baseURL: self`,
    ]);
  }
  const endpoint = () => {
    if (model.baseURL === 'self')
      return {
        baseURL: `${selfURL()}/v1`,
        apiKey: model.apiKey ?? config.server.apiKeys[0]?.key,
        headers: {},
      };
    if (model.baseURL) return { baseURL: model.baseURL, apiKey: model.apiKey, headers: {} };
    return {
      baseURL: provider?.baseURL ?? '',
      apiKey: model.apiKey ?? provider?.apiKey,
      headers: provider?.headers ?? {},
    };
  };
  return {
    kind: 'model',
    spec: {
      ...model,
      endpoint,
      providerName: provider?.name ?? (model.baseURL === 'self' ? 'inferwatch' : 'custom'),
      // The gateway itself speaks OpenAI's API; a bare baseURL is placed by its host.
      genAiProviderName: provider
        ? genAiProviderName(provider)
        : model.baseURL && model.baseURL !== 'self'
          ? genAiProviderName({ type: 'openai', baseURL: model.baseURL })
          : 'openai',
    },
  };
}

export function resolveTargets(config: Config, selfURL: () => string): ProbeTarget[] {
  const prober = config.prober;
  return prober.targets.map((target, index) => {
    const check = resolveCheck(target, index, config, selfURL);
    return {
      name: target.name,
      kind: check.kind,
      intervalMs: (target.intervalSeconds ?? prober.intervalSeconds) * 1000,
      failureThreshold: target.failureThreshold ?? prober.failureThreshold,
      recoveryThreshold: target.recoveryThreshold ?? prober.recoveryThreshold,
      latencyThresholdMs: target.latencyThresholdMs ?? prober.latencyThresholdMs,
      ttftThresholdMs: target.ttftThresholdMs ?? prober.ttftThresholdMs,
      model: target.model?.model,
      check,
    };
  });
}
