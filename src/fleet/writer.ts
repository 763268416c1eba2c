import type { ChainableCommander } from 'ioredis';
import type { Logger } from '../log/index.ts';
import type { RedisLink } from '../redis/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';

export type WriteKind = 'event' | 'incident';

interface Pending {
  kind: WriteKind;
  apply: (pipeline: ChainableCommander) => void;
}

export interface FleetWriter {
  /** Sends at once when Redis is reachable; otherwise holds it (bounded) until Redis returns. */
  write(kind: WriteKind, apply: (pipeline: ChainableCommander) => void): void;
  pending(): number;
  /** Sends what is held now, if Redis is reachable (shutdown, tests). */
  flush(): Promise<void>;
  close(): void;
}

const BATCH = 100;

/**
 * Fire-and-forget writes of fleet state (events, incidents) that must survive a Redis outage: they queue
 * in memory, in order, and go out in pipelined batches when Redis is reachable. At most `maxPending` wait;
 * past that the oldest is dropped and counted, so an outage costs memory that is bounded and visible.
 */
export function createFleetWriter({
  link,
  maxPending,
  logger,
  instruments,
}: {
  link: RedisLink;
  maxPending: number;
  logger: Logger;
  instruments: Instruments;
}): FleetWriter {
  const queue: Pending[] = [];
  let draining: Promise<void> | undefined;
  let droppedSinceLog = 0;

  const drain = async () => {
    while (queue.length > 0 && link.available()) {
      const batch = queue.slice(0, BATCH);
      const pipeline = link.commands.pipeline();
      for (const item of batch) item.apply(pipeline);
      let results: [Error | null, unknown][] | null;
      try {
        results = await pipeline.exec();
      } catch (error) {
        link.failed(batch[0]?.kind ?? 'event', error);
        return;
      }
      // A connection lost mid-batch fails every command of it: keep them for the next try.
      const lost = results?.some(([error]) => error && /Connection|closed|timed out/i.test(error.message));
      if (!results || lost) {
        link.failed(batch[0]?.kind ?? 'event', results?.find(([error]) => error)?.[0] ?? 'no reply');
        return;
      }
      queue.splice(0, batch.length);
      // Anything else (a refused command: wrong type, no permission) will never succeed: log and move on.
      const refused = results.find(([error]) => error)?.[0];
      if (refused) logger.warn({ err: refused.message }, 'redis refused a fleet write; it was dropped');
    }
  };
  const kick = () => {
    if (draining || !link.available() || queue.length === 0) return draining;
    draining = drain().finally(() => {
      draining = undefined;
      if (queue.length > 0 && link.available()) void kick();
    });
    return draining;
  };
  const unsubscribe = link.onChange((available) => {
    if (!available) return;
    if (droppedSinceLog > 0) {
      logger.warn(
        { dropped: droppedSinceLog, maxPendingWrites: maxPending },
        'events and incidents were dropped from the fleet stream while redis was unreachable',
      );
      droppedSinceLog = 0;
    }
    void kick();
  });

  return {
    write(kind, apply) {
      if (!link.available()) link.fellBack(kind);
      queue.push({ kind, apply });
      while (queue.length > maxPending) {
        const dropped = queue.shift();
        droppedSinceLog += 1;
        instruments.fleetWritesDropped.record(1, { [n.ATTR_WRITE_KIND]: dropped?.kind ?? kind });
      }
      void kick();
    },
    pending: () => queue.length,
    async flush() {
      await kick();
    },
    close: unsubscribe,
  };
}
