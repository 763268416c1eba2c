import { type Command, hostValue, nonNegativeValue, portValue } from '../cli/options.ts';

const cheatSheet = (base: string) =>
  [
    'Fault by model name (pick one per request): "<model>+fault-<kind>", e.g. sim-small+fault-429',
    '  429  429-retry-after-<s>  500  502  503  overloaded  reset  silence  slow-first-token-<ms>',
    '  cut-after-<n>  stall-after-<n>  malformed  no-done  no-done-cut  context-length  content-filter',
    '  auth  empty  wrong-answer  empty-length  empty-choices  tool-call  malformed-after-<n>',
    '  cut-after-headers  trickle-<ms>  azure-preamble  done-then-linger-<ms>  done-then-chatter',
    'Instances: <base>/<instance>/v1 (e.g. /primary/v1, /backup/v1), each with its own faults and stats.',
    'Runtime faults per instance:',
    `  curl -X PUT ${base}/_sim/primary/faults -H 'content-type: application/json' \\`,
    `       -d '{"mode":"outage"}'   # modes: ok outage rate_limit server_error reset silence slow`,
    '       # also: errorRate, status, retryAfterSeconds, latencyMs, ttftMs, tokensPerSecond,',
    '       #       flapPeriodMs, outageForMs, apiKey, modelFaults',
    `  curl -X DELETE ${base}/_sim/primary/faults     # back to healthy`,
    `  curl ${base}/_sim/primary/stats`,
  ].join('\n');

/** `inferwatch simulate`: the fake provider on its own port (benchmarks, demos, tests in other processes). */
export const simulateCommand: Command = {
  summary: 'Serve the OpenAI-compatible fake provider with fault injection (default 127.0.0.1:8090)',
  usage: 'inferwatch simulate [--port N] [--host H] [--ttft-ms N] [--tokens-per-second N]',
  noConfig: true,
  options: {
    port: {
      type: 'string',
      short: 'p',
      valueName: 'N',
      description: 'port to listen on (0 picks a free one)',
      defaultText: '8090',
      parse: portValue,
    },
    host: {
      type: 'string',
      valueName: 'ADDRESS',
      description: 'address to bind',
      defaultText: '127.0.0.1',
      parse: hostValue,
    },
    'ttft-ms': {
      type: 'string',
      valueName: 'N',
      description: 'milliseconds before the first token (0 = none)',
      defaultText: '20',
      parse: nonNegativeValue,
    },
    'tokens-per-second': {
      type: 'string',
      valueName: 'N',
      description: 'streaming speed after the first token (0 = back to back)',
      defaultText: '200',
      parse: nonNegativeValue,
    },
  },
  async run(values) {
    const port = (values.port as number | undefined) ?? 8090;
    const ttftMs = values['ttft-ms'] as number | undefined;
    const tokensPerSecond = values['tokens-per-second'] as number | undefined;
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const [{ createSimulator }, { listen }] = await Promise.all([
      import('./simulator.ts'),
      import('../http/index.ts'),
    ]);
    const simulator = createSimulator({ ttftMs, tokensPerSecond });
    const listening = await listen(simulator.app, { host, port });
    console.log(`inferwatch simulator listening on ${listening.url}`);
    console.log(`  OpenAI base URL: ${listening.url}/v1  (models: sim-small, sim-large, sim-echo)`);
    console.log(
      `  timing: first token after ${ttftMs ?? 20} ms, ${tokensPerSecond ?? 200} tokens/s (0 = no delay)`,
    );
    console.log(cheatSheet(listening.url));
    return new Promise<number>((resolve) => {
      const stop = () => {
        simulator.close();
        listening.close(1000).then(() => resolve(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
