/**
 * Environment overrides, applied to the parsed tree before validation so they are validated like the file.
 * Secrets belong in the environment; these let a container set them without templating the YAML.
 */
type Setter = (tree: Record<string, unknown>, value: string) => void;

const section = (tree: Record<string, unknown>, key: string): Record<string, unknown> => {
  const current = tree[key];
  if (current !== null && typeof current === 'object' && !Array.isArray(current))
    return current as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  tree[key] = fresh;
  return fresh;
};
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Variable → where it lands. Numbers stay strings here only where the schema coerces; ports are parsed. */
export const envOverrides = {
  INFERWATCH_HOST: (tree, value) => {
    section(tree, 'server').host = value;
  },
  INFERWATCH_PORT: (tree, value) => {
    section(tree, 'server').port = Number(value);
  },
  INFERWATCH_API_KEYS: (tree, value) => {
    section(tree, 'server').apiKeys = list(value);
  },
  INFERWATCH_OTLP_ENDPOINT: (tree, value) => {
    section(tree, 'telemetry').otlpEndpoint = value;
  },
  INFERWATCH_REGION: (tree, value) => {
    section(tree, 'telemetry').region = value;
    section(tree, 'prober').region = value;
  },
  INFERWATCH_STORE_PATH: (tree, value) => {
    section(tree, 'store').path = value;
  },
  INFERWATCH_LOG_LEVEL: (tree, value) => {
    section(tree, 'log').level = value;
  },
  INFERWATCH_WEBHOOK_TOKEN: (tree, value) => {
    section(tree, 'analyzer').webhookToken = value;
  },
} satisfies Record<string, Setter>;

export function applyEnvOverrides(tree: unknown, env: NodeJS.ProcessEnv): unknown {
  const root: Record<string, unknown> =
    tree !== null && typeof tree === 'object' && !Array.isArray(tree)
      ? { ...(tree as Record<string, unknown>) }
      : {};
  for (const [name, set] of Object.entries(envOverrides)) {
    const value = env[name];
    if (value !== undefined && value !== '') set(root, value);
  }
  return root;
}
