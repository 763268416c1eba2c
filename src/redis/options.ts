import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/redis-schema.ts';

/** Reconnect delays: doubling from 100 ms, capped so a returning Redis is noticed within two seconds. */
const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 2_000;

/** Delay before reconnect attempt `times` (1-based), with jitter so a fleet does not reconnect in step. */
export function reconnectDelay(times: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(times - 1, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * ioredis options from the `redis` section. The URL gives host, port, database and (optionally) the
 * credentials; `username`/`password` keys win over the URL's so secrets can come from the environment
 * without URL-encoding them. `rediss://` turns TLS on; `tls.*` adds a private CA or a client certificate.
 */
export function redisOptions(config: RedisConfig & { url: string }, name: string): RedisOptions {
  const url = new URL(config.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new Error(`redis.url: "${url.pathname}" is not a database number`);
  const username = config.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password =
    config.password !== undefined
      ? config.password || undefined
      : url.password
        ? decodeURIComponent(url.password)
        : undefined;
  const tls =
    url.protocol === 'rediss:'
      ? {
          ...(config.tls.caFile ? { ca: readFileSync(config.tls.caFile) } : {}),
          ...(config.tls.certFile ? { cert: readFileSync(config.tls.certFile) } : {}),
          ...(config.tls.keyFile ? { key: readFileSync(config.tls.keyFile) } : {}),
          // SNI takes a host name only (RFC 6066); for an IP address the certificate's IP entries are checked.
          ...(config.tls.servername || !isIP(host) ? { servername: config.tls.servername ?? host } : {}),
          rejectUnauthorized: config.tls.rejectUnauthorized,
        }
      : undefined;
  return {
    host,
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
    connectionName: name,
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    // Commands never wait through reconnects: the callers fall back to per-replica state instead, and
    // queued writes are held (bounded) by the link, not by the client.
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => reconnectDelay(times),
    // RESP2 works on every Redis and Valkey still in use; nothing here needs RESP3's types.
    protocol: 2,
    lazyConnect: true,
    // Commands issued in the same tick (a request's limit check, an event, a lease) go out in one write.
    enableAutoPipelining: true,
  };
}

/** The URL without its credentials, for logs and /ready. */
export function describeRedis(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}
