import { notFound } from '../http/index.ts';
import { type RuntimeFaults, runtimeFaultsSchema } from './runtime-faults.ts';

/** Counters per instance. `aborted`: the client went away before the answer finished. */
export interface SimulatorStats {
  /** Chat completion requests (`/v1/models` is not counted here). */
  requests: number;
  /** `GET /v1/models` requests: health checks and model lists. */
  modelLists: number;
  streams: number;
  /** Responses written to the end, whatever their status. */
  completed: number;
  aborted: number;
  /** Sockets the simulator destroyed on purpose (reset and cut faults). */
  cut: number;
  inFlight: number;
  byStatus: Record<string, number>;
}

/** The last chat request an instance received: lets tests check what a gateway forwarded upstream. */
export interface RecordedRequest {
  at: number;
  body: unknown;
  /** Request headers; credentials are replaced by "[redacted]". */
  headers: Record<string, string>;
  /** "1.1" or "2.0": what the client spoke. */
  httpVersion: string;
}

export interface Instance {
  name: string;
  lastRequest: RecordedRequest | undefined;
  faults: RuntimeFaults;
  /** When the faults were set: outage windows and flapping count from here. */
  since: number;
  stats: SimulatorStats;
  /** Responses this instance stored (Responses API), by id: what `previous_response_id` may name. */
  responses: Map<string, string>;
}

const emptyStats = (): SimulatorStats => ({
  requests: 0,
  modelLists: 0,
  streams: 0,
  completed: 0,
  aborted: 0,
  cut: 0,
  inFlight: 0,
  byStatus: {},
});

const validName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Instances are created on first use; the cap keeps a stray client from growing the map without bound. */
const maxInstances = 256;

export interface InstanceTable {
  get(name: string): Instance;
  names(): string[];
  setFaults(name: string, faults: unknown): RuntimeFaults;
  resetFaults(name?: string): void;
  resetStats(name?: string): void;
}

export function createInstanceTable(now: () => number): InstanceTable {
  const instances = new Map<string, Instance>();
  const get = (name: string): Instance => {
    const existing = instances.get(name);
    if (existing) return existing;
    if (!validName.test(name)) throw notFound(`Invalid simulator instance name "${name}".`);
    if (instances.size >= maxInstances) throw notFound(`Too many simulator instances (${maxInstances}).`);
    const created: Instance = {
      name,
      lastRequest: undefined,
      faults: {},
      since: now(),
      stats: emptyStats(),
      responses: new Map(),
    };
    instances.set(name, created);
    return created;
  };
  const each = (name: string | undefined, action: (instance: Instance) => void) => {
    for (const instance of name === undefined ? instances.values() : [get(name)]) action(instance);
  };
  return {
    get,
    names: () => [...instances.keys()],
    setFaults(name, faults) {
      const parsed = runtimeFaultsSchema.parse(faults);
      const instance = get(name);
      instance.faults = parsed;
      instance.since = now();
      return parsed;
    },
    resetFaults(name) {
      each(name, (instance) => {
        instance.faults = {};
        instance.since = now();
      });
    },
    resetStats(name) {
      // In-flight requests are still open: keep counting them so inFlight never goes negative.
      each(name, (instance) => {
        instance.stats = { ...emptyStats(), inFlight: instance.stats.inFlight };
      });
    },
  };
}
