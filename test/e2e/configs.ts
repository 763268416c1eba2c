/** The inferwatch configs of the end-to-end run: one all-in-one process and two regional probers. */
export interface E2eEndpoints {
  otlpHttpURL: string;
  prometheusURL: string;
  alertmanagerURL: string;
  webhookToken: string;
  dir: string;
  /** The on-call PagerDuty service (a fake of the Events API) that Alertmanager pages, and its key. */
  pagerdutyURL: string;
  routingKey: string;
}

const telemetry = (endpoints: E2eEndpoints, name: string, region: string) => ({
  otlpEndpoint: endpoints.otlpHttpURL,
  serviceName: name,
  region,
  instanceId: `e2e-${name}-${region}`,
  exportIntervalMs: 1000,
});

/**
 * Gateway + simulator (the two demo providers, mounted in-process) + analyzer + API. The analyzer's LLM
 * is the simulator's backup instance: it answers, but not with the JSON the analyzer asks for, so the
 * analyses fall back to rules and the LLM metrics are recorded. Its explanations go to the console and to
 * the same PagerDuty service Alertmanager pages.
 */
/** Made-up prices, so the cost series and panels have data. */
const pricing = { 'sim-small': { inputPerMillion: 1, outputPerMillion: 4 } };

export function gatewayConfig(endpoints: E2eEndpoints, port: number) {
  const self = `http://127.0.0.1:${port}`;
  return {
    server: { host: '127.0.0.1', port },
    telemetry: telemetry(endpoints, 'inferwatch', 'eu-west-1'),
    store: { path: `${endpoints.dir}/gateway.db` },
    log: { level: 'warn' },
    simulator: { enabled: true, mountPath: '/simulator' },
    providers: [
      // A cap far above the run's load: nothing waits, and the pool-wait histogram has its zeros.
      { name: 'sim-primary', baseURL: `${self}/simulator/primary/v1`, maxConnections: 1000, pricing },
      { name: 'sim-backup', baseURL: `${self}/simulator/backup/v1`, pricing },
    ],
    routes: [{ model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
    // Long recovery: the breaker stays open for the whole run, so its alert's `for: 1m` can elapse.
    circuitBreaker: { failureThreshold: 3, recoverySeconds: 600, halfOpenMaxRequests: 1 },
    prober: { enabled: false },
    analyzer: {
      webhookToken: endpoints.webhookToken,
      prometheusURL: endpoints.prometheusURL,
      alertmanagerURL: endpoints.alertmanagerURL,
      llm: { baseURL: `${self}/simulator/backup/v1`, model: 'sim-small' },
      // The explanation goes to the service Alertmanager pages, keyed to land on the page's incident.
      notify: [
        { type: 'console' },
        { type: 'pagerduty', routingKey: endpoints.routingKey, url: endpoints.pagerdutyURL },
      ],
    },
  };
}

/** A prober in `region`: the gateway's health, both providers' models, and a quality canary. */
export function proberConfig(endpoints: E2eEndpoints, port: number, gatewayURL: string, region: string) {
  const simulator = `${gatewayURL}/simulator`;
  return {
    server: { host: '127.0.0.1', port },
    telemetry: telemetry(endpoints, 'inferwatch-prober', region),
    store: { path: ':memory:' },
    log: { level: 'warn' },
    prober: {
      region,
      intervalSeconds: 2,
      failureThreshold: 2,
      recoveryThreshold: 2,
      targets: [
        { name: 'gateway-health', http: { url: `${gatewayURL}/health`, expectStatus: [200] } },
        {
          name: 'sim-primary-chat',
          model: {
            baseURL: `${simulator}/primary/v1`,
            model: 'sim-small',
            timeoutMs: 3000,
            canary: { prompt: 'Reply with exactly: 42', expect: { exact: '42' } },
          },
        },
        {
          name: 'sim-backup-chat',
          model: { baseURL: `${simulator}/backup/v1`, model: 'sim-small', timeoutMs: 3000 },
        },
      ],
    },
    analyzer: { enabled: false },
  };
}
