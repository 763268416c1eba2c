import { loadConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import type { ComponentName, Role } from '../runtime/index.ts';
import { startTelemetryFromConfig } from '../telemetry/index.ts';
import { version } from '../version.ts';
import { bannerLines } from './banner.ts';
import { embeddedEnvironment } from './detect-ollama.ts';

export interface Serving {
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Loads config, starts telemetry, then imports the runtime — the SDK must be registered before any
 * feature module asks the API for a tracer or meter (one asked earlier gets a no-op that never records).
 */
export async function serve(
  role: Role,
  file: string | undefined,
  out: (line: string) => void = console.log,
  /** Run these components instead of the role's (`probe --schedule --analyze` adds the analyzer). */
  { components }: { components?: readonly ComponentName[] } = {},
): Promise<Serving> {
  const detected = file
    ? { env: process.env, ollamaDetected: false }
    : await embeddedEnvironment(process.env);
  const loaded = loadConfig({ file, env: detected.env });
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, base: { role } });
  const sdk = startTelemetryFromConfig(config, logger, version);
  if (sdk.prometheus) logger.info({ url: await sdk.prometheus }, 'Prometheus scrape endpoint listening');
  const { createRuntime } = await import('../runtime/index.ts');
  const runtime = createRuntime({ config, role, logger, ...(components ? { only: components } : {}) });
  const listening = await runtime.listen();
  runtime.context.telemetry.instruments.buildInfo.record(1, { version });

  for (const line of bannerLines({
    role,
    url: listening.url,
    loaded,
    ollamaDetected: detected.ollamaDetected,
    telemetryMode: sdk.mode,
    components: [...runtime.components.keys()],
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
