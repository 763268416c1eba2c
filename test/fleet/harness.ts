import { redisSchema } from '../../src/config/redis-schema.ts';
import { createEventBus, type EventBus } from '../../src/events/index.ts';
import { createFleet, type Fleet } from '../../src/fleet/index.ts';
import { createIncidentStore, openDatabase } from '../../src/store/index.ts';
import { createTestTelemetry, type TestTelemetry } from '../../src/telemetry/testing.ts';
import { type CapturedLog, captureLog } from './log-lines.ts';

export interface ReplicaState {
  instance: string;
  bus: EventBus;
  fleet: Fleet;
  log: CapturedLog;
  telemetry: TestTelemetry;
  stop(): Promise<void>;
}

/**
 * One replica's fleet state (bus, Redis link, event stream, incidents) without HTTP: what the runtime
 * builds, for tests of the fleet parts themselves.
 */
export async function startReplicaState(
  instance: string,
  redis: Record<string, unknown>,
): Promise<ReplicaState> {
  const bus = createEventBus({ instance });
  const log = captureLog();
  const telemetry = createTestTelemetry();
  const db = openDatabase(':memory:');
  const config = redisSchema.parse(redis) as ReturnType<typeof redisSchema.parse> & { url: string };
  const fleet = createFleet({
    config,
    bus,
    logger: log.logger,
    instruments: telemetry.instruments,
    localIncidents: createIncidentStore(db, { instance }),
  });
  // What the runtime wires: this replica's incidents go to the (fleet) store.
  bus.subscribe('incident', (event) => {
    fleet.incidents.record({
      id: event.id,
      at: event.at,
      kind: event.kind,
      severity: event.severity,
      title: event.title,
      subject: event.subject,
      detail: event.detail,
    });
  });
  await fleet.start();
  return {
    instance,
    bus,
    fleet,
    log,
    telemetry,
    async stop() {
      await fleet.stop();
      db.close();
    },
  };
}

/** A unique key prefix per test, so tests sharing one redis-server never see each other's state. */
let counter = 0;
export const uniquePrefix = (name: string) => `t${process.pid}-${++counter}-${name}:`;
