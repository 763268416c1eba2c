import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisSchema } from '../../src/config/redis-schema.ts';
import { createRedisLink, type RedisLink } from '../../src/redis/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { requireTools } from '../required-tools.ts';
import { makeTlsFiles, type RedisServer, redisRequirements, startRedis } from '../stack/redis.ts';
import { captureLog } from './log-lines.ts';

const ready = requireTools(redisRequirements());

const links: RedisLink[] = [];
const servers: RedisServer[] = [];
afterAll(async () => {
  await Promise.all(links.map((link) => link.close()));
  await Promise.all(servers.map((server) => server.stop()));
});

function link(input: Record<string, unknown>) {
  const log = captureLog();
  const telemetry = createTestTelemetry();
  const config = redisSchema.parse(input) as ReturnType<typeof redisSchema.parse> & { url: string };
  const created = createRedisLink({
    config,
    logger: log.logger,
    instruments: telemetry.instruments,
    instanceId: 'link-test',
  });
  links.push(created);
  return { link: created, log, telemetry };
}

const gauge = async (telemetry: ReturnType<typeof createTestTelemetry>) => {
  const metric = (await telemetry.collectMetrics()).find(
    (entry) => entry.descriptor.name === 'inferwatch.fleet.redis.available',
  );
  return metric?.dataPoints.at(-1)?.value;
};

describe.skipIf(!ready)('the Redis link', () => {
  it('says Redis is down when it dies and up when it returns, with a log line and a gauge', async () => {
    const server = await startRedis();
    servers.push(server);
    const { link: redis, log, telemetry } = link({ url: server.url, keyPrefix: 'link-test:' });
    await redis.connect();
    expect(redis.available()).toBe(true);
    expect(await gauge(telemetry)).toBe(1);
    await redis.commands.set(redis.key('x'), '1');

    await server.kill();
    await expect.poll(() => redis.available()).toBe(false);
    expect(await gauge(telemetry)).toBe(0);
    expect(log.messages('warn').join('\n')).toMatch(/redis unreachable: rate limits, budgets and breakers/);
    expect(redis.status()).toMatchObject({ available: false, target: server.url });

    await server.restart();
    await expect.poll(() => redis.available(), { timeout: 10_000 }).toBe(true);
    expect(log.messages('info').join('\n')).toMatch(/redis reachable again/);
    expect(await gauge(telemetry)).toBe(1);
  });

  it('takes a hung Redis for gone once a command and then a ping time out, and returns when it answers', async () => {
    const server = await startRedis();
    servers.push(server);
    const { link: redis, log } = link({ url: server.url, commandTimeoutMs: 200 });
    await redis.connect();
    const pid = server.process().child.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      const error = await redis.commands.get(redis.key('x')).catch((failure: unknown) => failure);
      expect(String(error)).toMatch(/timed out/i);
      // The socket is still open: only the caller's report and the ping that follows can tell.
      expect(redis.available()).toBe(true);
      redis.failed('rate_limit', error);
      await expect.poll(() => redis.available()).toBe(false);
      expect(log.messages('warn').join('\n')).toMatch(/redis unreachable/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect.poll(() => redis.available(), { timeout: 5_000 }).toBe(true);
  });

  it('starts without Redis, says so once, and connects when it comes up', async () => {
    const server = await startRedis();
    servers.push(server);
    await server.kill();
    const { link: redis, log } = link({ url: server.url, connectTimeoutMs: 300 });
    await redis.connect();
    expect(redis.available()).toBe(false);
    expect(log.messages('warn')).toEqual([
      'redis not reachable at start: running on per-replica state until it is',
    ]);
    await server.restart();
    await expect.poll(() => redis.available(), { timeout: 10_000 }).toBe(true);
  });

  it('authenticates with requirepass, the password coming from its own key rather than the URL', async () => {
    const server = await startRedis({ password: 'pass word/with:symbols' });
    servers.push(server);
    const denied = link({ url: server.url, connectTimeoutMs: 500 });
    await denied.link.connect();
    expect(denied.link.available()).toBe(false);
    expect(denied.log.text()).not.toContain('pass word');

    const { link: redis, log } = link({ url: server.url, password: 'pass word/with:symbols' });
    await redis.connect();
    expect(redis.available()).toBe(true);
    expect(await redis.commands.ping()).toBe('PONG');
    expect(log.text()).not.toContain('symbols');
  });

  it('logs in as an ACL user limited to the key prefix', async () => {
    const server = await startRedis({ aclUser: { name: 'fleet', password: 's3cret', prefix: 'acl-test:' } });
    servers.push(server);
    const { link: redis } = link({
      url: `redis://fleet:s3cret@127.0.0.1:${server.port}/0`,
      keyPrefix: 'acl-test:',
    });
    await redis.connect();
    expect(redis.available()).toBe(true);
    await redis.commands.set(redis.key('allowed'), '1');
    await expect(redis.commands.set('elsewhere', '1')).rejects.toThrow(/NOPERM/);
  });

  it('speaks TLS to a rediss:// URL, verifying the server against the configured CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-tls-'));
    try {
      const files = makeTlsFiles(dir);
      const server = await startRedis({ tls: files });
      servers.push(server);
      const { link: redis } = link({ url: server.url, tls: { caFile: files.ca } });
      await redis.connect();
      expect(redis.available()).toBe(true);
      expect(await redis.commands.ping()).toBe('PONG');

      const untrusted = link({ url: server.url, connectTimeoutMs: 500 });
      await untrusted.link.connect();
      expect(untrusted.link.available()).toBe(false);
      expect(untrusted.link.status().lastError).toMatch(/certificate/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
