import type { Envelope, EventType, InferwatchEvent } from './types.ts';

export type Listener<E extends InferwatchEvent = InferwatchEvent> = (event: Envelope<E>) => void;

export interface EventBus {
  publish(event: InferwatchEvent): void;
  /** Subscribe to one type, or to all with '*'. Returns the unsubscribe function. */
  subscribe<T extends EventType>(
    type: T,
    listener: Listener<Extract<InferwatchEvent, { type: T }>>,
  ): () => void;
  subscribe(type: '*', listener: Listener): () => void;
  /** The last events, newest last, for late subscribers (the status page's first paint). */
  recent(limit?: number): Envelope[];
}

export interface EventBusOptions {
  now?: () => number;
  /** How many events `recent()` keeps. */
  history?: number;
  /** Called when a listener throws; a broken subscriber must never break the publisher (the request path). */
  onListenerError?: (error: unknown, event: Envelope) => void;
}

export function createEventBus({
  now = Date.now,
  history = 200,
  onListenerError = () => {},
}: EventBusOptions = {}): EventBus {
  const listeners = new Map<string, Set<Listener>>();
  const ring: Envelope[] = [];
  let seq = 0;

  const deliver = (set: Set<Listener> | undefined, envelope: Envelope) => {
    if (!set) return;
    for (const listener of set) {
      try {
        listener(envelope);
      } catch (error) {
        onListenerError(error, envelope);
      }
    }
  };

  return {
    publish(event) {
      seq += 1;
      const envelope = { ...event, seq, at: new Date(now()).toISOString() } as Envelope;
      ring.push(envelope);
      if (ring.length > history) ring.shift();
      deliver(listeners.get(event.type), envelope);
      deliver(listeners.get('*'), envelope);
    },
    subscribe(type: string, listener: Listener) {
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
    recent(limit = history) {
      return ring.slice(-limit);
    },
  } as EventBus;
}
