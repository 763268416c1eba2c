/**
 * The embedded default: what `inferwatch start` runs with no config file. With no keys it serves two
 * simulated providers from its own process, so a new user sees routing, failover and probes with nothing
 * else installed. OPENAI_API_KEY switches the chain to OpenAI (with a local Ollama behind it when
 * OLLAMA_BASE_URL is set).
 */
export function embeddedDefaults(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const port = Number(env.INFERWATCH_PORT ?? 8080);
  const self = `http://127.0.0.1:${port}`;
  if (env.OPENAI_API_KEY) {
    const providers: Record<string, unknown>[] = [
      {
        name: 'openai',
        baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
        apiKey: env.OPENAI_API_KEY,
      },
    ];
    const targets: Record<string, unknown>[] = [{ provider: 'openai' }];
    if (env.OLLAMA_BASE_URL) {
      providers.push({ name: 'ollama', baseURL: env.OLLAMA_BASE_URL, healthCheck: 'models' });
      targets.push({ provider: 'ollama', model: env.OLLAMA_MODEL ?? 'llama3.2' });
    }
    return {
      server: { port },
      providers,
      routes: [{ model: '*', targets }],
      prober: {
        targets: [
          { name: 'gateway-health', http: { url: `${self}/health`, expectStatus: [200] } },
          {
            name: 'openai-mini',
            model: { provider: 'openai', model: env.INFERWATCH_PROBE_MODEL ?? 'gpt-4o-mini' },
          },
        ],
      },
    };
  }
  return {
    server: { port },
    simulator: { enabled: true, mountPath: '/simulator' },
    providers: [
      { name: 'sim-primary', baseURL: `${self}/simulator/primary/v1`, healthCheck: 'models' },
      { name: 'sim-backup', baseURL: `${self}/simulator/backup/v1`, healthCheck: 'models' },
    ],
    routes: [{ model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
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
