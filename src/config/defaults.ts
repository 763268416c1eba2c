import { applyEmbeddedEnv } from './embedded-env.ts';

/** The model /api/chat and the OpenAI probe use when OPENAI_MODEL is not set. */
const defaultOpenAIModel = 'gpt-4o-mini';
const defaultOllamaModel = 'llama3.2';

/**
 * Ollama's own address (`http://localhost:11434`, as OLLAMA_BASE_URL is usually written) gets its
 * OpenAI-compatible path; a URL that already has a path is used as given.
 */
export function ollamaBaseURL(value: string): string {
  try {
    const url = new URL(value);
    if (url.pathname === '/' || url.pathname === '') return `${url.origin}/v1`;
  } catch {
    // Left as written: the schema reports providers.1.baseURL with the reason.
  }
  return value;
}

/**
 * The embedded default: what `inferwatch start` runs with no config file. With no keys it serves two
 * simulated providers from its own process, so a new user sees routing, failover and probes with nothing
 * else installed. OPENAI_API_KEY switches the chain to OpenAI (with a local Ollama behind it when
 * OLLAMA_BASE_URL is set). The variables in embedded-env.ts tune breakers, rate limits and probes.
 */
export function embeddedDefaults(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const tree = env.OPENAI_API_KEY ? openAIDefaults(env) : simulatorDefaults(env);
  applyEmbeddedEnv(tree, env);
  return tree;
}

const selfURL = (env: NodeJS.ProcessEnv) => `http://127.0.0.1:${Number(env.INFERWATCH_PORT ?? 8080)}`;

function openAIDefaults(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const model = env.OPENAI_MODEL || defaultOpenAIModel;
  const providers: Record<string, unknown>[] = [
    {
      name: 'openai',
      baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
      apiKey: env.OPENAI_API_KEY,
    },
  ];
  const anyModel: Record<string, unknown>[] = [{ provider: 'openai' }];
  const named: Record<string, unknown>[] = [{ provider: 'openai', model }];
  if (env.OLLAMA_BASE_URL) {
    providers.push({ name: 'ollama', baseURL: ollamaBaseURL(env.OLLAMA_BASE_URL), healthCheck: 'models' });
    const fallback = { provider: 'ollama', model: env.OLLAMA_MODEL || defaultOllamaModel };
    anyModel.push(fallback);
    named.push(fallback);
  }
  return {
    server: { port: Number(env.INFERWATCH_PORT ?? 8080) },
    providers,
    // `*` passes any model a client names to OpenAI; the named route is what /api/chat uses without one.
    routes: [
      { model: '*', targets: anyModel },
      { model, targets: named },
    ],
    prober: {
      targets: [
        { name: 'gateway-health', http: { url: `${selfURL(env)}/health`, expectStatus: [200] } },
        {
          name: 'openai-mini',
          model: { provider: 'openai', model: env.INFERWATCH_PROBE_MODEL ?? model },
        },
      ],
    },
  };
}

function simulatorDefaults(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const self = selfURL(env);
  const chain = [{ provider: 'sim-primary' }, { provider: 'sim-backup' }];
  return {
    server: { port: Number(env.INFERWATCH_PORT ?? 8080) },
    simulator: { enabled: true, mountPath: '/simulator' },
    providers: [
      { name: 'sim-primary', baseURL: `${self}/simulator/primary/v1`, healthCheck: 'models' },
      { name: 'sim-backup', baseURL: `${self}/simulator/backup/v1`, healthCheck: 'models' },
    ],
    // sim-small is named so /api/chat without a model asks for (and reports) a real model name.
    routes: [
      { model: '*', targets: chain },
      { model: 'sim-small', targets: chain },
    ],
    prober: {
      intervalSeconds: 15,
      targets: [
        { name: 'gateway-health', http: { url: `${self}/health`, expectStatus: [200] } },
        { name: 'sim-primary-chat', model: { provider: 'sim-primary', model: 'sim-small' } },
        { name: 'sim-backup-chat', model: { provider: 'sim-backup', model: 'sim-small' } },
      ],
    },
  };
}
