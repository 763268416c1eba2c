import { type Command, hostValue, nonNegativeValue, portValue, UsageError } from './options.ts';

const cheatSheet = (base: string) =>
  [
    'Fault by model name (pick one per request): "<model>+fault-<kind>", e.g. sim-small+fault-429',
    '  429  429-retry-after-<s>  500  502  503  overloaded  reset  silence  slow-first-token-<ms>',
    '  cut-after-<n>  stall-after-<n>  malformed  no-done  no-done-cut  context-length  content-filter',
    '  auth  empty  wrong-answer  empty-length  empty-choices  tool-call  malformed-after-<n>',
    '  cut-after-headers  trickle-<ms>  azure-preamble  done-then-linger-<ms>  done-then-chatter',
    '  slow-tokens-<ms>  reject-stream-options  ignore-stream-options  tool-stream  reject-prefill',
    'Instances: <base>/<instance>/v1 (e.g. /primary/v1, /backup/v1), each with its own faults and stats.',
    'Runtime faults per instance:',
    `  curl -X PUT ${base}/_sim/primary/faults -H 'content-type: application/json' \\`,
    `       -d '{"mode":"outage"}'   # modes: ok outage rate_limit server_error reset silence slow`,
    '       # also: errorRate, status, retryAfterSeconds, latencyMs, ttftMs, tokensPerSecond,',
    '       #       flapPeriodMs, outageForMs, apiKey, modelFaults, streamOptions',
    `  curl -X DELETE ${base}/_sim/primary/faults     # back to healthy`,
    `  curl ${base}/_sim/primary/stats`,
  ].join('\n');

/** `inferwatch simulate`: the fake provider on its own port (benchmarks, demos, tests in other processes). */
export const simulateCommand: Command = {
  summary: 'Serve the OpenAI-compatible fake provider with fault injection (default 127.0.0.1:8090)',
  usage:
    'inferwatch simulate [--port N] [--host H] [--ttft-ms N] [--tokens-per-second N] [--h2c | --tls-cert FILE --tls-key FILE]',
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
    h2c: { type: 'boolean', description: 'speak cleartext HTTP/2 (prior knowledge) instead of HTTP/1.1' },
    'tls-cert': {
      type: 'string',
      valueName: 'FILE',
      description: 'PEM certificate: serve TLS, ALPN offering h2 and http/1.1 on one port (with --tls-key)',
      defaultText: 'none, plain HTTP',
    },
    'tls-key': {
      type: 'string',
      valueName: 'FILE',
      description: 'PEM private key for --tls-cert',
      defaultText: 'none',
    },
  },
  async run(values) {
    const port = (values.port as number | undefined) ?? 8090;
    const ttftMs = values['ttft-ms'] as number | undefined;
    const tokensPerSecond = values['tokens-per-second'] as number | undefined;
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const certFile = values['tls-cert'] as string | undefined;
    const keyFile = values['tls-key'] as string | undefined;
    if ((certFile === undefined) !== (keyFile === undefined) || (certFile && values.h2c)) {
      throw new UsageError('give --tls-cert and --tls-key together, or --h2c alone');
    }
    const [{ createSimulator }, { listen }, { listenHttp2 }, { readFileSync }] = await Promise.all([
      import('../simulator/simulator.ts'),
      import('../http/index.ts'),
      import('../simulator/http2.ts'),
      import('node:fs'),
    ]);
    const simulator = createSimulator({ ttftMs, tokensPerSecond });
    const tls =
      certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined;
    const listening =
      tls || values.h2c
        ? await listenHttp2(simulator, { host, port, tls })
        : await listen(simulator.app, { host, port });
    console.log(`inferwatch simulator listening on ${listening.url}`);
    console.log(`  OpenAI base URL: ${listening.url}/v1  (models: sim-small, sim-large, sim-echo)`);
    console.log(
      `  timing: first token after ${ttftMs ?? 20} ms, ${tokensPerSecond ?? 200} tokens/s (0 = no delay)`,
    );
    console.log(cheatSheet(listening.url));
    return new Promise<number>((resolve) => {
      const stop = () => {
        simulator.close();
        listening.close().then(() => resolve(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
