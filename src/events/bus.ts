import type { Envelope, EventType, InferwatchEvent } from './types.ts';

export type Listener<E extends InferwatchEvent = InferwatchEvent> = (event: Envelope<E>) => void;

export interface SubscribeOptions {
  /**
   * Also receive the events other replicas raised (relayed through Redis). Off by default: the store, OTel
   * logs and the analyzer act on this replica's own events only, so nothing is stored, logged or alerted
   * once per replica. The WebSockets (and so the status page) turn it on to show the whole fleet.
   */
  fleet?: boolean;
}

export interface EventBus {
  /** This replica's name (service.instance.id), stamped on every event it publishes. */
  readonly instance: string;
  publish(event: InferwatchEvent): void;
  /** Subscribe to one type, or to all with '*'. Returns the unsubscribe function. */
  subscribe<T extends EventType>(
    type: T,
    listener: Listener<Extract<InferwatchEvent, { type: T }>>,
    options?: SubscribeOptions,
  ): () => void;
  subscribe(type: '*', listener: Listener, options?: SubscribeOptions): () => void;
  /** An event another replica published, as it stamped it: delivered to fleet subscribers only. */
  deliverRemote(envelope: Envelope): void;
  /** The last events (this replica's and, relayed, the fleet's), newest last, for late subscribers. */
  recent(limit?: number): Envelope[];
}

export interface EventBusOptions {
  now?: () => number;
  /** service.instance.id of this process. */
  instance?: string;
  /** How many events `recent()` keeps. */
  history?: number;
  /** Called when a listener throws; a broken subscriber must never break the publisher (the request path). */
  onListenerError?: (error: unknown, event: Envelope) => void;
}

interface Subscription {
  listener: Listener;
  fleet: boolean;
}

export function createEventBus({
  now = Date.now,
  instance = 'local',
  history = 200,
  onListenerError = () => {},
}: EventBusOptions = {}): EventBus {
  const subscriptions = new Map<string, Set<Subscription>>();
  const ring: Envelope[] = [];
  let seq = 0;

  const remember = (envelope: Envelope) => {
    ring.push(envelope);
    if (ring.length > history) ring.shift();
  };
  const deliver = (set: Set<Subscription> | undefined, envelope: Envelope, remote: boolean) => {
    if (!set) return;
    for (const subscription of set) {
      if (remote && !subscription.fleet) continue;
      try {
        subscription.listener(envelope);
      } catch (error) {
        onListenerError(error, envelope);
      }
    }
  };

  return {
    instance,
    publish(event) {
      seq += 1;
      const envelope = { ...event, seq, at: new Date(now()).toISOString(), instance } as Envelope;
      remember(envelope);
      deliver(subscriptions.get(event.type), envelope, false);
      deliver(subscriptions.get('*'), envelope, false);
    },
    subscribe(type: string, listener: Listener, options: SubscribeOptions = {}) {
      let set = subscriptions.get(type);
      if (!set) {
        set = new Set();
        subscriptions.set(type, set);
      }
      const subscription = { listener, fleet: options.fleet === true };
      set.add(subscription);
      return () => set.delete(subscription);
    },
    deliverRemote(envelope) {
      remember(envelope);
      deliver(subscriptions.get(envelope.type), envelope, true);
      deliver(subscriptions.get('*'), envelope, true);
    },
    recent(limit = history) {
      return ring.slice(-limit);
    },
  } as EventBus;
}
