import type { Envelope, EventBus, EventType } from '../events/index.ts';
import type { Logger } from '../log/index.ts';
import type { RedisLink } from '../redis/index.ts';
import type { FleetWriter } from './writer.ts';

/** Too frequent and too empty to share: each replica's WebSocket clients get their own replica's. */
const notShared = new Set<EventType>(['heartbeat']);

export interface EventStreamOptions {
  link: RedisLink;
  bus: EventBus;
  writer: FleetWriter;
  logger: Logger;
  /** Approximate length the stream is trimmed to (XADD MAXLEN ~). */
  maxLength: number;
  /** Events read back at start, so a new replica's page shows what the fleet did just before. */
  replay?: number;
  blockMs?: number;
}

export interface EventStream {
  /** Resolves once the start-up replay is done (or Redis could not be asked). */
  ready: Promise<void>;
  stop(): void;
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Envelope).type === 'string' &&
  typeof (value as Envelope).instance === 'string' &&
  typeof (value as Envelope).seq === 'number' &&
  typeof (value as Envelope).at === 'string';

/**
 * One event stream for the fleet on a Redis Stream: this replica's events are appended (tagged with its
 * instance), and every other replica's are read back onto the local bus for its fleet subscribers (the
 * WebSockets, so the status page). A Stream rather than pub/sub: a replica that lost Redis for a while
 * reads on from where it stopped, and a new one replays the recent past.
 */
export function startEventStream({
  link,
  bus,
  writer,
  logger,
  maxLength,
  replay = 200,
  blockMs = 1_000,
}: EventStreamOptions): EventStream {
  const key = link.key('events');
  let running = true;
  let lastId = '0-0';
  let wake: (() => void) | undefined;

  const unsubscribe = bus.subscribe('*', (event) => {
    if (notShared.has(event.type)) return;
    const data = JSON.stringify(event);
    writer.write('event', (pipeline) => pipeline.xadd(key, 'MAXLEN', '~', maxLength, '*', 'e', data));
  });
  const offChange = link.onChange((available) => {
    if (available) wake?.();
  });

  const deliver = (fields: string[]) => {
    const index = fields.indexOf('e');
    if (index < 0) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(fields[index + 1] ?? '');
    } catch {
      return;
    }
    if (!isEnvelope(envelope) || envelope.instance === bus.instance) return;
    bus.deliverRemote(envelope);
  };

  const untilAvailable = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, blockMs).unref();
    });

  // Until this has run once, the stream's older entries are not ours to deliver: only the last `replay`.
  let primed = false;
  const readRecent = async () => {
    if (!link.available()) return;
    try {
      const entries = await link.commands.xrevrange(key, '+', '-', 'COUNT', replay);
      lastId = entries[0]?.[0] ?? lastId;
      primed = true;
      for (const [, fields] of entries.reverse()) deliver(fields);
    } catch (error) {
      link.failed('event', error);
    }
  };

  const loop = async () => {
    while (running) {
      if (!link.available()) {
        await untilAvailable();
        continue;
      }
      if (!primed) {
        await readRecent();
        continue;
      }
      try {
        const reply = await link
          .reader(blockMs)
          .xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', key, lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            deliver(fields);
          }
        }
      } catch (error) {
        if (!running) return;
        link.failed('event', error);
        logger.debug({ err: error }, 'reading the fleet event stream failed; retrying');
        await untilAvailable();
      }
    }
  };

  const ready = readRecent();
  void ready.then(loop);
  return {
    ready,
    stop() {
      running = false;
      wake?.();
      unsubscribe();
      offChange();
    },
  };
}
