import type { Server } from 'node:http';
import type { Router } from 'express';
import type { Config } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { type ComponentName, createRuntime } from '../runtime/index.ts';
import { hostTelemetryRegistered, startTelemetryFromConfig, type TelemetrySdk } from '../telemetry/index.ts';
import { version } from '../version.ts';

/** The parts an app can embed; the CLI roles are combinations of these. */
export type InferwatchComponent = ComponentName;

export interface InferwatchOptions {
  /** A validated config: `loadConfig({ file }).config` or `parseConfig(object)`. */
  config: Config;
  /**
   * What to serve: `gateway`, `prober`, `analyzer`, `api` (/health, /ready, /api/incidents, /ws/events),
   * `statusPage`, `simulator`. Defaults to the gateway alone.
   */
  components?: readonly InferwatchComponent[];
  /** A pino logger; defaults to one at `config.log.level` on stdout. */
  logger?: Logger;
  now?: () => number;
}

export interface StartOptions {
  /** The host app's HTTP server: the `api` component attaches /ws/events to it. */
  server?: Server;
  /** Where the mounted router answers (e.g. http://127.0.0.1:3000/llm), for model probes of `self`. */
  selfURL?: string;
}

export interface Inferwatch {
  /** Mount it in the host app, at the root or under a prefix; other paths pass through untouched. */
  router: Router;
  /** 'host' when the app's own OpenTelemetry SDK records inferwatch's telemetry. */
  telemetry: 'host' | TelemetrySdk['mode'];
  /** Starts schedules and background work (probes, the analyzer's outbox, gateway metrics events). */
  start(options?: StartOptions): Promise<void>;
  /** Stops the components, closes upstream pools and the store, and shuts down an SDK it started. */
  stop(): Promise<void>;
  /** True when every component can serve: fold it into the host's readiness check. */
  ready(): boolean;
}

/**
 * inferwatch inside another Express app. When the process already has an OpenTelemetry SDK (the host
 * registered global providers before calling this), inferwatch records on it and starts none of its own;
 * otherwise it starts one from `config.telemetry`, as the CLI does (no endpoint: nothing is exported).
 */
export function createInferwatch(options: InferwatchOptions): Inferwatch {
  const { config, components = ['gateway'], now } = options;
  const logger = options.logger ?? createLogger({ level: config.log.level, base: { role: 'embedded' } });
  const host = hostTelemetryRegistered();
  // Started before the runtime so the features' tracer and meter come from its providers.
  const sdk: TelemetrySdk | undefined =
    host.tracer || host.meter ? undefined : startTelemetryFromConfig(config, logger, version);
  const runtime = createRuntime({ config, role: 'start', only: components, logger, now });
  let started = false;
  return {
    router: runtime.router,
    telemetry: sdk ? sdk.mode : 'host',
    async start(startOptions = {}) {
      if (started) return;
      started = true;
      await sdk?.prometheus;
      runtime.context.telemetry.instruments.buildInfo.record(1, { version });
      await runtime.start(startOptions);
    },
    async stop() {
      await runtime.stop();
      await sdk?.shutdown();
    },
    ready: () =>
      started && [...runtime.components.values()].every((component) => component.ready?.() ?? true),
  };
}
