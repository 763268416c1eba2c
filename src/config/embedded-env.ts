/**
 * Environment variables the embedded default reads besides INFERWATCH_*: the names a Sentinel-Ops
 * deployment already sets, so its `.env` works unchanged. Only without --config: a config file says what
 * it means itself (use `${VAR}` there). INFERWATCH_* overrides are applied after these and win.
 * OPENAI_MODEL, OLLAMA_BASE_URL and OLLAMA_MODEL shape the providers and routes (src/config/defaults.ts).
 */
export const embeddedEnvKeys = {
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: { path: ['circuitBreaker', 'failureThreshold'], number: true },
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: { path: ['circuitBreaker', 'recoverySeconds'], number: true },
  // Sentinel-Ops' background health monitor is our prober: its interval is the probe interval.
  HEALTH_CHECK_INTERVAL_SECONDS: { path: ['prober', 'intervalSeconds'], number: true },
  RATE_LIMIT_REQUESTS: { path: ['rateLimit', 'requests'], number: true },
  RATE_LIMIT_WINDOW_SECONDS: { path: ['rateLimit', 'windowSeconds'], number: true },
  // development / staging / production, as the deployment.environment.name resource attribute.
  APP_ENV: { path: ['telemetry', 'environment'], number: false },
  // Replicas naming the same Redis share rate limits, budgets, breakers, events and incidents.
  REDIS_URL: { path: ['redis', 'url'], number: false },
} as const satisfies Record<string, { path: readonly [string, string]; number: boolean }>;

export type EmbeddedEnvName = keyof typeof embeddedEnvKeys;

const present = (env: NodeJS.ProcessEnv) =>
  (Object.entries(embeddedEnvKeys) as [EmbeddedEnvName, (typeof embeddedEnvKeys)[EmbeddedEnvName]][]).filter(
    ([name]) => env[name] !== undefined && env[name] !== '',
  );

/**
 * Writes each set variable into the tree. A number that does not parse stays a string, so the schema
 * rejects it under the key's path and `embeddedEnvOrigins` names the variable in the message.
 */
export function applyEmbeddedEnv(tree: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, { path, number }] of present(env)) {
    const raw = (env[name] ?? '').trim();
    const [section, key] = path;
    const current = tree[section];
    const target =
      current !== null && typeof current === 'object' && !Array.isArray(current)
        ? (current as Record<string, unknown>)
        : {};
    target[key] = number && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    tree[section] = target;
  }
}

/** Key path → the variable that set it, for error messages. */
export function embeddedEnvOrigins(env: NodeJS.ProcessEnv): Map<string, string> {
  return new Map(present(env).map(([name, { path }]) => [path.join('.'), name]));
}
