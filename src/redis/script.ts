import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

export interface RedisScript {
  (keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** Queues the script on a pipeline (or MULTI) instead of sending it alone. */
  on(pipeline: ChainableCommander, keys: readonly string[], args: readonly (string | number)[]): void;
}

type ScriptCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script run atomically on the server, by its SHA (EVALSHA) with ioredis falling back to EVAL
 * once when the server does not know it yet (after a restart, say). Commands defined this way are
 * auto-pipelined like any other, so a script costs no extra round trip.
 */
export function defineScript(redis: Redis, lua: string, numberOfKeys: number): RedisScript {
  // One command name per script text, so two scripts never collide and one text is defined once.
  const name = `inferwatch_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
  const commands = redis as unknown as Record<string, ScriptCommand | undefined>;
  if (!commands[name]) redis.defineCommand(name, { lua, numberOfKeys });
  const run = commands[name] as ScriptCommand;
  const checked = (keys: readonly string[]) => {
    if (keys.length !== numberOfKeys) throw new Error(`script expects ${numberOfKeys} keys`);
    return keys;
  };
  const script = (keys: readonly string[], args: readonly (string | number)[]) =>
    run.call(redis, ...checked(keys), ...args);
  script.on = (pipeline: ChainableCommander, keys: readonly string[], args: readonly (string | number)[]) => {
    const queued = (pipeline as unknown as Record<string, ScriptCommand>)[name];
    queued?.call(pipeline, ...checked(keys), ...args);
  };
  return script;
}

/** Long keys (a client-chosen model name is part of some) are hashed, so no key grows with input. */
export function boundedKeyPart(part: string, max = 200): string {
  return part.length <= max ? part : `sha256:${createHash('sha256').update(part).digest('hex')}`;
}
