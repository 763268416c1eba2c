import type { EventBus } from '../events/index.ts';

/** One request that failed over: the whole chain it walked, the first reason and when it last moved. */
export interface FailedOverRequest {
  traceId: string;
  at: string;
  requestedModel: string;
  chain: string[];
  reason: string;
}

/**
 * The last `keep` requests that failed over, newest first, from the bus's `failover` events since this
 * process started. A request that moves twice (a → b → c) is one entry, as the gateway's failover counter
 * counts it once, so the status page's list and its counter speak of the same thing.
 */
export function createFailoverLog(bus: EventBus, keep = 15) {
  const entries: FailedOverRequest[] = [];
  const unsubscribe = bus.subscribe('failover', (event) => {
    const index = entries.findIndex((entry) => entry.traceId === event.traceId);
    const earlier = index >= 0 ? entries.splice(index, 1)[0] : undefined;
    entries.unshift({
      traceId: event.traceId,
      at: event.at,
      requestedModel: event.requestedModel,
      chain: event.chain.length > 0 ? [...event.chain] : [event.from, event.to],
      reason: earlier?.reason ?? event.reason,
    });
    entries.length = Math.min(entries.length, keep);
  });
  return {
    recent: (): FailedOverRequest[] => entries.map((entry) => ({ ...entry, chain: [...entry.chain] })),
    stop: unsubscribe,
  };
}
