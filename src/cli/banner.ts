import { type Config, exampleModel, type LoadedConfig } from '../config/index.ts';
import { version } from '../version.ts';
import { defaultOllamaURL } from './detect-ollama.ts';

export { exampleModel };

export interface BannerOptions {
  role: string;
  url: string;
  loaded: LoadedConfig;
  ollamaDetected: boolean;
  /** How spans, metrics and logs are pushed (OTLP, to the console, or not at all). */
  telemetryMode: 'otlp' | 'console' | 'off';
  /** The Prometheus scrape endpoint's URL when `telemetry.prometheus` serves one. */
  prometheusURL?: string | undefined;
  components: readonly string[];
  /** Model ids the running gateway lists (GET /v1/models), asked only when the config names none. */
  listedModels?: readonly string[];
}

type Route = Config['routes'][number];

/** `route balanced: openai/gpt-4o-mini + ollama/llama3.2 (shared by weight)`: the chain as configured. */
export function describeRoute(route: Route): string {
  const groups = new Map<number, string[]>();
  route.targets.forEach((target, index) => {
    const priority = target.priority ?? index;
    const name = target.model ? `${target.provider}/${target.model}` : target.provider;
    groups.set(priority, [...(groups.get(priority) ?? []), name]);
  });
  const ordered = [...groups.entries()].sort(([a], [b]) => a - b).map(([, names]) => names);
  const shared = ordered.some((names) => names.length > 1) ? ' (+ = shared by weight)' : '';
  return `route ${route.model}: ${ordered.map((names) => names.join(' + ')).join(' → ')}${shared}`;
}

/**
 * The first lines `inferwatch start` prints: what is running, where to look, and how to point it at
 * real providers. The first line's shape is stable (scripts wait for "listening on").
 */
export function bannerLines({
  role,
  url,
  loaded,
  ollamaDetected,
  telemetryMode,
  prometheusURL,
  components,
  listedModels = [],
}: BannerOptions): string[] {
  const { config, embedded, source } = loaded;
  const lines = [`inferwatch ${version} — ${role} listening on ${url}`];
  if (components.includes('status-page') && config.statusPage.enabled) {
    lines.push(`  status page: ${url}/ (live providers, breakers, failovers, probes and alerts)`);
  }
  lines.push(`  config: ${embedded ? `${source} (no --config given)` : source}`);
  for (const note of loaded.notes) lines.push(`  note: ${note}`);
  const chain = config.routes[0]?.targets.map((target) => target.provider).join(' → ') ?? '';
  if (embedded && config.simulator.enabled) {
    lines.push(
      `  providers: two built-in simulated providers (${chain}); no external services or keys needed.`,
    );
  } else {
    const names = config.providers.map((provider) => `${provider.name} (${provider.baseURL})`);
    lines.push(`  providers: ${names.join(', ') || '(none)'}`);
  }
  if (components.includes('gateway')) {
    for (const route of config.routes) lines.push(`  ${describeRoute(route)}`);
    if (config.routes.length === 0) lines.push('  routes: none, so every chat request answers 404');
  }
  if (embedded && !config.simulator.enabled) {
    lines.push(
      ollamaDetected
        ? `  fallback: local Ollama detected at ${defaultOllamaURL}`
        : config.providers.some((provider) => provider.name === 'ollama')
          ? '  fallback: Ollama from OLLAMA_BASE_URL'
          : `  fallback: none (no Ollama answered at ${defaultOllamaURL}; set OLLAMA_BASE_URL to use one)`,
    );
  }
  if (components.includes('gateway')) {
    const model = exampleModel(config, listedModels);
    const auth = config.server.apiKeys.length > 0 ? ` -H "authorization: Bearer $INFERWATCH_API_KEY"` : '';
    lines.push(
      model
        ? `  try it: curl -s ${url}/v1/chat/completions -H 'content-type: application/json'${auth} -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`
        : `  try it: curl -s ${url}/v1/models${auth}   (no model name is configured; pick one from this list)`,
    );
  }
  if (embedded && config.simulator.enabled) {
    lines.push(
      '  real providers: set OPENAI_API_KEY (a local Ollama on 127.0.0.1:11434, or OLLAMA_BASE_URL, becomes the fallback), or pass --config inferwatch.yaml.',
    );
  }
  lines.push(`  telemetry: ${telemetryLine(config, telemetryMode, prometheusURL)}`);
  lines.push(`  components: ${components.join(', ')}`);
  return lines;
}

/** Every way telemetry leaves the process; "off" only when none does (a scrape endpoint is one). */
function telemetryLine(
  config: Config,
  mode: BannerOptions['telemetryMode'],
  prometheusURL: string | undefined,
): string {
  const scrape = prometheusURL ? `Prometheus scrape at ${prometheusURL}` : undefined;
  const push = {
    otlp: `OTLP → ${config.telemetry.otlpEndpoint}`,
    console: 'console',
    off: undefined,
  } satisfies Record<BannerOptions['telemetryMode'], string | undefined>;
  const ways = [push[mode], scrape].filter((way) => way !== undefined);
  if (ways.length === 0) return 'off (set telemetry.otlpEndpoint or INFERWATCH_OTLP_ENDPOINT)';
  // Metrics only: say where traces and logs would go, so nobody looks for them in Prometheus.
  return mode === 'off'
    ? `${ways.join(', ')} (metrics only; traces and logs need telemetry.otlpEndpoint)`
    : ways.join(', ');
}
