import type { Router } from 'express';
import type { Config } from './config/index.ts';
import type { EventBus } from './events/index.ts';
import type { Fleet } from './fleet/index.ts';
import type { Logger } from './log/index.ts';
import type { Database, IncidentStore, StatusHistory } from './store/index.ts';
import type { Telemetry } from './telemetry/index.ts';

/** Everything a feature may depend on; built once per process by runtime.ts. */
export interface RuntimeContext {
  config: Config;
  logger: Logger;
  telemetry: Telemetry;
  bus: EventBus;
  db: Database;
  /** Incidents: this replica's SQLite file, or the fleet's on Redis when `redis.url` is set. */
  incidents: IncidentStore;
  /** Uptime and recent outcomes per probe target and provider (the status page's history). */
  history: StatusHistory;
  /** State shared with the other replicas through Redis; undefined without `redis.url`. */
  fleet: Fleet | undefined;
  /** This process's service.instance.id: what its events and incidents are tagged with. */
  instance: string;
  now: () => number;
  /** The process's own base URL once listening (http://host:port); features that call themselves read it lazily. */
  selfURL: () => string;
  /** Other components by name, for the few cross-feature reads (status page, /api/metrics). */
  components: () => ReadonlyMap<string, Component>;
}

/**
 * One capability plugged into the process. Components never listen themselves: runtime.ts mounts their
 * routers on the one server, then starts them, and stops them in reverse order on shutdown.
 */
export interface Component {
  name: string;
  /** Mounted at the root; paths are absolute (`/v1/chat/completions`, `/api/probes`). */
  router?: Router;
  /** Called once the server listens. */
  start?(): Promise<void> | void;
  /** Stop scheduling new work, finish or hand off what is in flight. */
  stop?(): Promise<void> | void;
  /** False while the component cannot serve (GET /ready reports it). */
  ready?(): boolean;
  /** A small JSON summary for GET /api/metrics and the status page. */
  summary?(): Record<string, unknown>;
  /** Attach to the HTTP server for upgrades (the WebSocket). */
  attach?(server: import('node:http').Server): void;
  /** Paths whose Upgrade requests `attach` takes over; an Upgrade anywhere else is served as a plain request. */
  upgradePaths?: readonly string[];
}

export type ComponentFactory = (ctx: RuntimeContext) => Component;
