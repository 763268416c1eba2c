import type { RedisConfig } from '../config/redis-schema.ts';
import type { EventBus } from '../events/index.ts';
import type { Logger } from '../log/index.ts';
import { createRedisLink, type RedisLink, type RedisStatus } from '../redis/index.ts';
import type { IncidentStore } from '../store/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { type EventStream, startEventStream } from './event-stream.ts';
import { createFleetIncidentStore } from './incidents.ts';
import { type Presence, startPresence } from './presence.ts';
import { createFleetWriter, type FleetWriter } from './writer.ts';

export interface FleetStatus {
  redis: RedisStatus & { required: boolean };
  /** Replicas that reached Redis in the last few seconds, this one included. */
  replicas: number;
  /** Events and incidents waiting for Redis. */
  pendingWrites: number;
}

/** The state a replica shares with the others through Redis. */
export interface Fleet {
  link: RedisLink;
  /** Writes held (bounded) while Redis is unreachable and sent when it returns. */
  writer: FleetWriter;
  /** Incidents of the whole fleet (this replica's own SQLite while Redis is unreachable). */
  incidents: IncidentStore;
  /** How many replicas share fleet-wide limits (the divisor of a per-replica share). */
  replicas(): number;
  status(): FleetStatus;
  /** Connects (bounded by connectTimeoutMs), then relays events and announces this replica. */
  start(): Promise<void>;
  /** Sends what is held if it can, then closes the connections. */
  stop(): Promise<void>;
}

export interface FleetOptions {
  config: RedisConfig & { url: string };
  bus: EventBus;
  logger: Logger;
  instruments: Instruments;
  /** This replica's own incident store (SQLite). */
  localIncidents: IncidentStore;
  now?: () => number;
}

export function createFleet({
  config,
  bus,
  logger,
  instruments,
  localIncidents,
  now = Date.now,
}: FleetOptions): Fleet {
  const link = createRedisLink({ config, logger, instruments, instanceId: bus.instance, now });
  const writer: FleetWriter = createFleetWriter({
    link,
    maxPending: config.maxPendingWrites,
    logger,
    instruments,
  });
  const incidents = createFleetIncidentStore({
    link,
    writer,
    local: localIncidents,
    maxIncidents: config.maxIncidents,
  });
  let stream: EventStream | undefined;
  let presence: Presence | undefined;

  return {
    link,
    writer,
    incidents,
    replicas: () => presence?.size() ?? 1,
    status: () => ({
      redis: { ...link.status(), required: config.required },
      replicas: presence?.size() ?? 1,
      pendingWrites: writer.pending(),
    }),
    async start() {
      await link.connect();
      stream = startEventStream({ link, bus, writer, logger, maxLength: config.eventStreamLength });
      presence = startPresence({ link, instance: bus.instance, now });
      await stream.ready;
    },
    async stop() {
      stream?.stop();
      await presence?.stop();
      await writer.flush();
      writer.close();
      await link.close();
    },
  };
}
