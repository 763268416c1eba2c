import type { Logger } from '../log/index.ts';
import { boundedKeyPart, defineScript, type RedisLink } from '../redis/index.ts';
import type { PeerChange } from './breaker.ts';
import type { BreakerSync, BreakerSyncHooks, OwnChange, TrialClaim } from './breaker-sync.ts';

/**
 * Records a verdict in the hash of open breakers (one field per target) and publishes it, in one step:
 * an open replaces an older episode's entry, a close removes the entry only if it is of the episode
 * closed (a newer open from another replica stays). A close is also kept for a while on its own key, for
 * the trial lease to consult (see claimLua).
 * KEYS: hash, closed. ARGV: target, message, to, openedAt, channel, keepMs, closedKeepMs.
 */
const recordLua = `
local current = redis.call('hget', KEYS[1], ARGV[1])
local currentOpenedAt = -1
if current then currentOpenedAt = tonumber(cjson.decode(current).openedAt) or -1 end
local openedAt = tonumber(ARGV[4])
if ARGV[3] == 'open' then
  if openedAt >= currentOpenedAt then redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end
else
  if current and openedAt >= currentOpenedAt then redis.call('hdel', KEYS[1], ARGV[1]) end
  local closed = redis.call('get', KEYS[2])
  if not closed or openedAt >= (tonumber(cjson.decode(closed).openedAt) or -1) then
    redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[7])
  end
end
redis.call('pexpire', KEYS[1], ARGV[6])
redis.call('publish', ARGV[5], ARGV[2])
return 1`;

/**
 * The half-open lease: taken if free, renewed if already this replica's. Returns -1 when held by the
 * caller, else how many ms the other holder's lease has left — or, when the episode the caller wants to
 * trial was already closed elsewhere, that close's message: the lease is freed right after a close is
 * published, and the caller may ask before its subscription has delivered the close.
 * KEYS: lease, closed. ARGV: instance, leaseMs, openedAt.
 */
const claimLua = `
local closed = redis.call('get', KEYS[2])
if closed then
  local verdict = cjson.decode(closed)
  if verdict.peer ~= ARGV[1] and (tonumber(verdict.openedAt) or -1) >= tonumber(ARGV[3]) then return closed end
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return -1
end
return redis.call('pttl', KEYS[1])`;

/** Gives the lease back, only if it is still the caller's. KEYS: lease. ARGV: instance. */
const releaseLua = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

/** How long the hash of open breakers outlives its last write. */
const KEEP_MS = 86_400_000;

/** How long a close is kept for late claims: far longer than a subscriber takes to hear it. */
const CLOSED_KEEP_MS = 60_000;

/** Opens remembered to skip hearing one twice; past this many (a hash written by others), start over. */
const MAX_HEARD = 4_096;

interface Lease {
  claim: TrialClaim;
  until: number;
}

const isPeerMessage = (value: unknown): value is PeerChange & { target: string } => {
  const message = value as Partial<PeerChange & { target: string }> | null;
  return (
    typeof message?.target === 'string' &&
    (message.to === 'open' || message.to === 'closed') &&
    typeof message.reason === 'string' &&
    typeof message.openedAt === 'number' &&
    typeof message.peer === 'string'
  );
};

/**
 * Breakers agreed through Redis. Opens and closes are published on a channel (every replica hears them
 * within milliseconds) and kept in a hash (a replica that starts, or had lost Redis, reads them back).
 * The half-open trial is a lease key with an expiry: one replica holds it, the others wait for its
 * verdict; a holder that dies frees it when the lease expires. Without Redis each replica decides alone.
 */
export function createRedisBreakerSync({
  link,
  instance,
  logger,
  now = Date.now,
}: {
  link: RedisLink;
  instance: string;
  logger: Logger;
  now?: () => number;
}): BreakerSync {
  const channel = link.key('breakers');
  const hash = link.key('breakers:open');
  const leaseKey = (target: string) => link.key(`breakers:trial:${boundedKeyPart(target)}`);
  const closedKey = (target: string) => link.key(`breakers:closed:${boundedKeyPart(target)}`);
  const record = defineScript(link.commands, recordLua, 2);
  const claim = defineScript(link.commands, claimLua, 2);
  const release = defineScript(link.commands, releaseLua, 1);
  const leases = new Map<string, Lease>();
  // The open verdict last adopted per target: the hash is read again after every (re)subscription and
  // outage, and an open heard once already changes nothing the second time.
  const heard = new Map<string, string>();
  let hooks: BreakerSyncHooks | undefined;
  let offChange: (() => void) | undefined;

  const fromPeer = (raw: string) => {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isPeerMessage(message) || message.peer === instance) return;
    if (message.to === 'closed') heard.delete(message.target);
    else if (heard.get(message.target) === raw) return;
    else {
      if (heard.size >= MAX_HEARD) heard.clear();
      heard.set(message.target, raw);
    }
    leases.delete(message.target);
    const { target, ...change } = message;
    hooks?.adopt(target, {
      to: change.to,
      reason: change.reason,
      openedAt: change.openedAt,
      peer: change.peer,
    });
  };

  const send = (target: string, change: OwnChange) => {
    const message = JSON.stringify({ target, ...change, peer: instance });
    return record(
      [hash, closedKey(target)],
      [target, message, change.to, change.openedAt, channel, KEEP_MS, CLOSED_KEEP_MS],
    );
  };

  // After a start or an outage: tell the fleet what opened here meanwhile, then learn what opened there.
  const readOpen = async () => {
    const entries = await link.commands.hgetall(hash);
    for (const raw of Object.values(entries)) fromPeer(raw);
  };
  const resync = async () => {
    try {
      await Promise.all((hooks?.openBreakers() ?? []).map(({ target, change }) => send(target, change)));
      await readOpen();
    } catch (error) {
      link.failed('breaker', error);
    }
  };

  const onMessage = (from: string, raw: string) => {
    if (from === channel) fromPeer(raw);
  };

  return {
    attach(given) {
      hooks = given;
    },
    announce(target, change) {
      if (!link.available()) {
        link.fellBack('breaker');
        return;
      }
      send(target, change).catch((error: unknown) => link.failed('breaker', error));
    },
    claimTrial(target, leaseMs, openedAt) {
      if (!link.available()) {
        link.fellBack('breaker');
        return 'granted';
      }
      const at = now();
      const held = leases.get(target);
      if (held && (held.claim === 'pending' || at < held.until)) return held.claim;
      leases.set(target, { claim: 'pending', until: Number.POSITIVE_INFINITY });
      claim([leaseKey(target), closedKey(target)], [instance, leaseMs, openedAt]).then(
        (ttl) => {
          if (leases.get(target)?.claim !== 'pending') return;
          // Closed elsewhere, not heard yet: adopting the close ends the half-open state without a trial.
          if (typeof ttl === 'string') {
            leases.delete(target);
            fromPeer(ttl);
            return;
          }
          const mine = Number(ttl) === -1;
          // Ask again a little before our lease ends (renewing it), or when theirs does.
          leases.set(target, {
            claim: mine ? 'granted' : 'elsewhere',
            until: now() + (mine ? Math.max(leaseMs - 1_000, leaseMs / 2) : Math.max(Number(ttl), 50)),
          });
          if (mine) hooks?.granted(target);
        },
        (error: unknown) => {
          link.failed('breaker', error);
          link.fellBack('breaker');
          // Redis could not say: this replica decides on its own, for a second before asking again.
          leases.set(target, { claim: 'granted', until: now() + 1_000 });
          hooks?.granted(target);
        },
      );
      return 'pending';
    },
    releaseTrial(target) {
      const held = leases.get(target);
      leases.delete(target);
      if (held?.claim !== 'granted' || !link.available()) return;
      release([leaseKey(target)], [instance]).catch((error: unknown) => link.failed('breaker', error));
    },
    async start() {
      const subscriber = link.subscriber();
      subscriber.on('message', onMessage);
      // ioredis resubscribes after a reconnect by itself, but only to channels it once subscribed to:
      // a first attempt that timed out while connecting is made again whenever the connection is ready.
      // Reading the hash once the subscription stands closes the gap between the two connections coming
      // back: a verdict published before it was kept in the hash, one published after it is heard.
      const subscribe = () =>
        subscriber
          .subscribe(channel)
          .then(readOpen)
          .catch((error: unknown) => {
            logger.debug(
              { err: error },
              'breaker channel not subscribed or read yet; retrying when connected',
            );
          });
      subscriber.on('ready', subscribe);
      await subscribe();
      offChange = link.onChange((available) => {
        if (available) void resync();
      });
      if (link.available()) await resync();
    },
    stop() {
      offChange?.();
      link.subscriber().off('message', onMessage);
    },
  };
}
