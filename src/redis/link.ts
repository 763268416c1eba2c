import { Redis } from 'ioredis';
import type { RedisConfig } from '../config/redis-schema.ts';
import type { Logger } from '../log/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import { describeRedis, redisOptions } from './options.ts';

/** What fell back to per-replica state while Redis could not be asked (the `operation` label). */
export const fleetOperations = ['rate_limit', 'budget', 'breaker', 'event', 'incident'] as const;
export type FleetOperation = (typeof fleetOperations)[number];

export interface RedisStatus {
  available: boolean;
  /** Where, without credentials. */
  target: string;
  /** When `available` last changed (ISO time). */
  since: string;
  lastError?: string | undefined;
}

/**
 * One process's connections to the fleet's Redis and the one opinion of whether it is reachable. Callers
 * on the request path ask `available()` first and use per-replica state when it is false, so an outage
 * costs no request a timeout; a command that times out anyway marks Redis unavailable until a ping answers.
 */
export interface RedisLink {
  /** Auto-pipelined commands. */
  readonly commands: Redis;
  /** A connection in subscriber mode (pub/sub), made on first use. */
  subscriber(): Redis;
  /** A connection for blocking reads (XREAD BLOCK), made on first use. */
  reader(blockMs: number): Redis;
  available(): boolean;
  /** Listens for reachability changes; returns the unsubscribe function. */
  onChange(listener: (available: boolean) => void): () => void;
  /** The key or channel `name` under the configured prefix. */
  key(name: string): string;
  /** A command failed: logged at debug; a timeout marks Redis unavailable until it answers again. */
  failed(operation: FleetOperation, error: unknown): void;
  /** A decision was made on per-replica state because Redis was unavailable (counted by operation). */
  fellBack(operation: FleetOperation): void;
  status(): RedisStatus;
  /** Connects, waiting at most `connectTimeoutMs`; never rejects (an unreachable Redis is a state). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  config: RedisConfig & { url: string };
  logger: Logger;
  instruments: Instruments;
  /** Names the connections in CLIENT LIST (service.instance.id). */
  instanceId: string;
  now?: () => number;
}

const PROBE_INTERVAL_MS = 500;

export function createRedisLink({
  config,
  logger,
  instruments,
  instanceId,
  now = Date.now,
}: RedisLinkOptions): RedisLink {
  const target = describeRedis(config.url);
  const options = redisOptions(config, `inferwatch:${instanceId}`.slice(0, 120));
  const commands = new Redis(options);
  const extra: Redis[] = [];
  const listeners = new Set<(available: boolean) => void>();
  let available = false;
  let since = now();
  let lastError: string | undefined;
  let downLogged = false;
  let closing = false;
  let confirming = false;
  let probe: NodeJS.Timeout | undefined;

  const set = (next: boolean, error?: unknown) => {
    if (error !== undefined) lastError = error instanceof Error ? error.message : String(error);
    if (next === available) return;
    const downMs = now() - since;
    available = next;
    since = now();
    instruments.fleetRedisAvailable.record(next ? 1 : 0);
    if (next) {
      stopProbe();
      if (downLogged)
        logger.info({ redis: target, downMs }, 'redis reachable again: fleet-wide state resumes');
      downLogged = false;
    } else if (!closing) {
      downLogged = true;
      logger.warn(
        { redis: target, err: lastError },
        'redis unreachable: rate limits, budgets and breakers run on per-replica state; events and incidents are held until it returns',
      );
    }
    for (const listener of listeners) listener(next);
  };

  const stopProbe = () => {
    clearInterval(probe);
    probe = undefined;
  };
  // A hung server keeps its socket open, so no 'close' says it is gone: ping until it answers.
  const startProbe = () => {
    if (probe || closing) return;
    probe = setInterval(() => {
      if (commands.status !== 'ready') return;
      commands.ping().then(
        () => set(true),
        () => undefined,
      );
    }, PROBE_INTERVAL_MS);
    probe.unref();
  };

  const watch = (connection: Redis, main: boolean) => {
    // ioredis emits 'error' on every failed (re)connect; an unheard 'error' event would end the process.
    connection.on('error', (error: Error) => {
      if (main) lastError = error.message;
      logger.debug({ err: error, redis: target }, 'redis connection error');
    });
    if (!main) return;
    connection.on('ready', () => set(true));
    connection.on('close', () => set(false));
  };
  watch(commands, true);
  instruments.fleetRedisAvailable.record(0);

  const duplicate = (overrides: Partial<typeof options>) => {
    const connection = commands.duplicate({ ...overrides, lazyConnect: false, enableAutoPipelining: false });
    watch(connection, false);
    extra.push(connection);
    return connection;
  };
  let subscriber: Redis | undefined;
  let reader: Redis | undefined;

  return {
    commands,
    subscriber: () => {
      subscriber ??= duplicate({});
      return subscriber;
    },
    reader: (blockMs) => {
      reader ??= duplicate({ commandTimeout: blockMs + config.commandTimeoutMs });
      return reader;
    },
    available: () => available,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    key: (name) => `${config.keyPrefix}${name}`,
    failed(operation, error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.debug({ err: message, operation, redis: target }, 'redis command failed');
      if (!/timed out|timeout/i.test(message) || !available || confirming) return;
      // One late answer may be this process's own stall (a busy event loop), not Redis: a ping decides.
      confirming = true;
      commands
        .ping()
        .then(
          () => undefined,
          (pingError: unknown) => {
            set(false, pingError);
            startProbe();
          },
        )
        .finally(() => {
          confirming = false;
        });
    },
    fellBack(operation) {
      instruments.fleetFallbacks.record(1, { [n.ATTR_OPERATION]: operation });
    },
    status: () => ({
      available,
      target,
      since: new Date(since).toISOString(),
      ...(available || lastError === undefined ? {} : { lastError }),
    }),
    async connect() {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, config.connectTimeoutMs).unref());
      // The rejection only says the connection closed; the 'error' event before it said why.
      const connected = commands.connect().catch(() => set(false));
      await Promise.race([connected, timeout]);
      if (!available && !downLogged) {
        downLogged = true;
        logger.warn(
          { redis: target, err: lastError },
          'redis not reachable at start: running on per-replica state until it is',
        );
      }
    },
    async close() {
      closing = true;
      stopProbe();
      listeners.clear();
      // The subscriber and the blocking reader hold nothing to flush: cut them at once.
      for (const connection of extra) connection.disconnect();
      if (commands.status !== 'end') await commands.quit().catch(() => commands.disconnect());
    },
  };
}
