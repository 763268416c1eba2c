import type { RedisLink } from '../redis/index.ts';

export interface Presence {
  /** Replicas seen in the last few heartbeats, this one included (1 before Redis ever answered). */
  size(): number;
  /** Their instance ids, as last read. */
  members(): string[];
  stop(): Promise<void>;
}

/**
 * Each replica stamps its instance id with the time into one sorted set every `intervalMs`, and reads
 * how many stamped recently. The count is what a replica divides a fleet-wide limit by when Redis goes
 * away (its per-replica share), so it is the last count seen, kept through the outage.
 */
export function startPresence({
  link,
  instance,
  intervalMs = 2_000,
  now = Date.now,
}: {
  link: RedisLink;
  instance: string;
  intervalMs?: number;
  now?: () => number;
}): Presence {
  const key = link.key('replicas');
  // Three missed heartbeats and a replica no longer counts (it stopped or lost Redis itself).
  const staleMs = intervalMs * 3;
  let seen: string[] = [instance];

  const beat = async () => {
    if (!link.available()) return;
    const at = now();
    try {
      const results = await link.commands
        .multi()
        .zadd(key, at, instance)
        .zremrangebyscore(key, '-inf', String(at - staleMs))
        .zrange(key, '0', '-1')
        .pexpire(key, staleMs * 10)
        .exec();
      const members = results?.[2]?.[1];
      if (Array.isArray(members) && members.length > 0) seen = members.map(String);
    } catch (error) {
      link.failed('rate_limit', error);
    }
  };
  void beat();
  const offChange = link.onChange((available) => {
    if (available) void beat();
  });
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();

  return {
    size: () => Math.max(1, seen.length),
    members: () => [...seen],
    async stop() {
      clearInterval(timer);
      offChange();
      if (!link.available()) return;
      await link.commands.zrem(key, instance).catch(() => undefined);
    },
  };
}
