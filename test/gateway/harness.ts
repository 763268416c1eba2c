import { parseConfig } from '../../src/config/index.ts';
import { createEventBus, type Envelope } from '../../src/events/index.ts';
import { type Logger, silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry, type TestTelemetry } from '../../src/telemetry/testing.ts';

export interface GatewayUnderTest {
  url: string;
  /** The listening HTTP server (its connections, for tests that look at what is buffered per socket). */
  server: import('node:http').Server;
  runtime: Runtime;
  telemetry: TestTelemetry;
  events: Envelope[];
  clock: { now: number };
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response>;
  stop(): Promise<void>;
}

/** The gateway (and operator API) built by the real runtime on port 0, with an injectable clock. */
export async function startGateway(
  config: Record<string, unknown>,
  {
    captureContent = false,
    realClock = true,
    logger = silentLogger,
  }: { captureContent?: boolean; realClock?: boolean; logger?: Logger } = {},
): Promise<GatewayUnderTest> {
  const clock = { now: Date.now() };
  const now = realClock ? Date.now : () => clock.now;
  const telemetry = createTestTelemetry({ captureContent });
  const bus = createEventBus({ now });
  const events: Envelope[] = [];
  bus.subscribe('*', (event) => events.push(event));
  const runtime = createRuntime({
    config: parseConfig({ store: { path: ':memory:' }, ...config }),
    role: 'gateway',
    only: ['gateway', 'api'],
    logger,
    telemetry,
    bus,
    now,
  });
  const listening = await runtime.listen({ port: 0 });
  return {
    url: listening.url,
    server: listening.server,
    runtime,
    telemetry,
    events,
    clock,
    post: (path, body, headers = {}, signal) =>
      fetch(`${listening.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    stop: () => runtime.stop(),
  };
}

export const chatBody = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

/** Reads an SSE response into its data payloads. */
export async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

/** Fast timeouts and no backoff, so fault tests take milliseconds. */
export const fastProvider = (name: string, baseURL: string, extra: Record<string, unknown> = {}) => ({
  name,
  baseURL,
  healthCheck: 'none',
  timeouts: { connectMs: 1_000, firstTokenMs: 400, idleMs: 300, totalMs: 5_000 },
  ...extra,
});
/**
 * Providers `primary` and `backup` (fast timeouts) and one route: `model` goes to the primary, then fails over
 * to the backup, each with its upstream model when given.
 */
export function primaryThenBackup(
  primary: { baseURL: string },
  backup: { baseURL: string },
  route: { model: string; primaryModel?: string; backupModel?: string },
) {
  const target = (provider: string, model: string | undefined) =>
    model ? { provider, model } : { provider };
  return {
    providers: [fastProvider('primary', primary.baseURL), fastProvider('backup', backup.baseURL)],
    routes: [
      {
        model: route.model,
        targets: [target('primary', route.primaryModel), target('backup', route.backupModel)],
      },
    ],
  };
}

export const fastRetry = { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 1_000, deadlineMs: 10_000 };

/** The data points of one metric, by name, from the gateway's in-memory telemetry. */
export async function metricPoints(gateway: GatewayUnderTest, name: string) {
  const metrics = await gateway.telemetry.collectMetrics();
  return metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
}
