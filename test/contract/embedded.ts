import { freePort } from '../../bench/free-port.ts';
import { embeddedDefaults } from '../../src/config/defaults.ts';
import { parseConfig } from '../../src/config/index.ts';
import type { Listening } from '../../src/http/index.ts';
import { type Logger, silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import type { Telemetry } from '../../src/telemetry/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

export interface EmbeddedOptions {
  /** Deep-merged over the embedded defaults, top-level section by section. */
  overrides?: Record<string, Record<string, unknown>>;
  /** Last word on the config tree (arrays such as providers are easier to edit here). */
  configure?: (tree: Record<string, unknown>) => void;
  logger?: Logger;
  telemetry?: Telemetry;
  /** Defaults to an in-memory store. */
  storePath?: string;
}

export interface Embedded {
  runtime: Runtime;
  listening: Listening;
  url: string;
  stop(): Promise<void>;
}

/**
 * `inferwatch start` as the embedded default builds it (simulated primary and backup served by the same
 * process, every component), in-process on a free loopback port with an in-memory store.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<Embedded> {
  // Known before start: the embedded defaults point the providers at the process's own port.
  const port = await freePort();
  const tree = embeddedDefaults({ INFERWATCH_PORT: String(port) }) as Record<string, Record<string, unknown>>;
  const merged: Record<string, unknown> = { ...tree, store: { path: options.storePath ?? ':memory:' } };
  for (const [section, values] of Object.entries(options.overrides ?? {})) {
    merged[section] = { ...(merged[section] as Record<string, unknown> | undefined), ...values };
  }
  options.configure?.(merged);
  const runtime = createRuntime({
    config: parseConfig(merged, 'test'),
    role: 'start',
    logger: options.logger ?? silentLogger,
    telemetry: options.telemetry ?? createTestTelemetry(),
  });
  const listening = await runtime.listen({ port });
  return { runtime, listening, url: listening.url, stop: () => runtime.stop() };
}
