import { loadConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import type { ComponentName, Role } from '../runtime/index.ts';
import { startTelemetryFromConfig } from '../telemetry/index.ts';
import { version } from '../version.ts';
import { bannerLines, exampleModel } from './banner.ts';
import { embeddedEnvironment } from './detect-ollama.ts';

export interface Serving {
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** YAML config file; without one the embedded defaults apply. */
  file?: string | undefined;
  /** Where the banner goes, one line per call. */
  out?: (line: string) => void;
  /** The environment config is read from (default: the process's own; never written). */
  env?: NodeJS.ProcessEnv;
  /** `--port` / `--host`: win over the config file and the environment. */
  port?: number | undefined;
  host?: string | undefined;
  /** Where JSON log lines go (default stdout); a command that talks to people on stdout moves them. */
  logTo?: NodeJS.WritableStream;
  /** Run these components instead of the role's (`probe --schedule --analyze` adds the analyzer). */
  components?: readonly ComponentName[] | undefined;
}

/** The command line's --port/--host become the environment overrides, so every config path sees them. */
export function withListenFlags(
  env: NodeJS.ProcessEnv,
  { port, host }: Pick<ServeOptions, 'port' | 'host'>,
): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(port === undefined ? {} : { INFERWATCH_PORT: String(port) }),
    ...(host === undefined ? {} : { INFERWATCH_HOST: host }),
  };
}

/**
 * Loads config, starts telemetry, then imports the runtime — the SDK must be registered before any
 * feature module asks the API for a tracer or meter (one asked earlier gets a no-op that never records).
 */
export async function serve(role: Role, options: ServeOptions = {}): Promise<Serving> {
  const { file, out = console.error } = options;
  const env = withListenFlags(options.env ?? process.env, options);
  const detected = file ? { env, ollamaDetected: false } : await embeddedEnvironment(env);
  const loaded = loadConfig({ file, env: detected.env });
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, base: { role }, destination: options.logTo });
  for (const note of loaded.notes) logger.warn({ config: loaded.source }, note);
  const sdk = startTelemetryFromConfig(config, logger, version);
  const scrapeURL = sdk.prometheus ? await sdk.prometheus : undefined;
  if (scrapeURL) logger.info({ url: scrapeURL }, 'Prometheus scrape endpoint listening');
  const { createRuntime } = await import('../runtime/index.ts');
  const only = options.components;
  const runtime = createRuntime({
    config,
    role,
    logger,
    // Events and incidents carry the same replica name as the telemetry (random unless configured).
    instance: sdk.resourceAttributes['service.instance.id'],
    ...(only ? { only } : {}),
  });
  let listening: Awaited<ReturnType<typeof runtime.listen>>;
  try {
    listening = await runtime.listen();
  } catch (error) {
    // Nothing is served: close the store and the SDK so the caller can report and exit cleanly.
    await runtime.stop().catch(() => {});
    await sdk.shutdown().catch(() => {});
    throw error;
  }
  runtime.context.telemetry.instruments.buildInfo.record(1, { version });

  const components = [...runtime.components.keys()];
  const listedModels =
    components.includes('gateway') && !exampleModel(config)
      ? await listModels(listening.url, config.server.apiKeys[0]?.key)
      : [];
  for (const line of bannerLines({
    role,
    url: listening.url,
    loaded,
    ollamaDetected: detected.ollamaDetected,
    telemetryMode: sdk.mode,
    ...(scrapeURL ? { prometheusURL: scrapeURL } : {}),
    components,
    listedModels,
  }))
    out(line);

  let stopped = false;
  return {
    url: listening.url,
    logger,
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop();
      await sdk.shutdown();
    },
  };
}

/** What the gateway itself lists, so the banner's example names a model that exists; [] if it cannot say. */
async function listModels(url: string, key: string | undefined): Promise<string[]> {
  try {
    const response = await fetch(`${url}/v1/models`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as { data?: { id?: unknown }[] };
    return (body.data ?? []).flatMap((model) => (typeof model.id === 'string' ? [model.id] : []));
  } catch {
    return [];
  }
}

/** SIGTERM/SIGINT stop gracefully; a second signal exits at once (Ctrl-C twice means it). */
export function stopOnSignals(serving: Serving): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      serving.logger.info({ signal }, 'shutting down');
      serving.stop().then(
        () => resolve(0),
        (error: unknown) => {
          serving.logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
