import type { LoadedConfig } from '../config/index.ts';
import { version } from '../version.ts';
import { defaultOllamaURL } from './detect-ollama.ts';

export interface BannerOptions {
  role: string;
  url: string;
  loaded: LoadedConfig;
  ollamaDetected: boolean;
  telemetryMode: 'otlp' | 'console' | 'off';
  components: readonly string[];
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
  components,
}: BannerOptions): string[] {
  const { config, embedded, source } = loaded;
  const lines = [`inferwatch ${version} — ${role} listening on ${url}`];
  if (components.includes('status-page') && config.statusPage.enabled) {
    lines.push(`  status page: ${url}/ (live providers, breakers, failovers, probes and alerts)`);
  }
  lines.push(`  config: ${embedded ? `${source} (no --config given)` : source}`);
  const chain = config.routes[0]?.targets.map((target) => target.provider).join(' → ') ?? '';
  if (embedded && config.simulator.enabled) {
    lines.push(
      `  providers: two built-in simulated providers (${chain}); no external services or keys needed.`,
    );
  } else {
    const names = config.providers.map((provider) => `${provider.name} (${provider.baseURL})`);
    lines.push(`  providers: ${names.join(', ') || '(none)'}${chain ? `; route * → ${chain}` : ''}`);
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
    const model = config.simulator.enabled && embedded ? 'sim-small' : 'gpt-4o-mini';
    const auth = config.server.apiKeys.length > 0 ? ` -H "authorization: Bearer $INFERWATCH_API_KEY"` : '';
    lines.push(
      `  try it: curl -s ${url}/v1/chat/completions -H 'content-type: application/json'${auth} -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`,
    );
  }
  if (embedded && config.simulator.enabled) {
    lines.push(
      '  real providers: set OPENAI_API_KEY (a local Ollama on 127.0.0.1:11434, or OLLAMA_BASE_URL, becomes the fallback), or pass --config inferwatch.yaml.',
    );
  }
  const telemetry = {
    otlp: `OTLP → ${config.telemetry.otlpEndpoint}`,
    console: 'console',
    off: 'off (set telemetry.otlpEndpoint or INFERWATCH_OTLP_ENDPOINT)',
  } satisfies Record<BannerOptions['telemetryMode'], string>;
  lines.push(`  telemetry: ${telemetry[telemetryMode]}`);
  lines.push(`  components: ${components.join(', ')}`);
  return lines;
}
