import { performance } from 'node:perf_hooks';
import { Agent, fetch as undiciFetch } from 'undici';
import type { EventBus } from '../events/index.ts';
import type { Logger } from '../log/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { type CheckOutcome, type FetchLike, runCheck } from './checks/index.ts';
import type { ProbeHistory } from './history.ts';
import type { ProbeTarget } from './probe-targets.ts';
import { logFields, type ProbeRecord, recordProbeMetrics } from './record.ts';
import { createScheduler, type Timers } from './scheduler.ts';
import { initialState, nextState, type StateCounters, stateIncidents } from './state.ts';

export interface ProberOptions {
  targets: readonly ProbeTarget[];
  /** Where the checks run from; `local` when neither prober.region nor telemetry.region names it. */
  region?: string;
  instruments: Instruments;
  logger: Logger;
  bus: EventBus;
  history?: ProbeHistory | undefined;
  concurrency?: number;
  now?: () => number;
  /** Monotonic ms for durations. */
  clock?: () => number;
  timers?: Timers;
  fetch?: FetchLike;
  onStart?: (name: string, lateMs: number) => void;
}

export interface TargetStatus {
  name: string;
  kind: ProbeTarget['kind'];
  intervalSeconds: number;
  state: StateCounters['state'];
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  runs: number;
  failures: number;
  last?: ProbeRecord | undefined;
}

export interface Prober {
  start(): void;
  stop(): Promise<void>;
  /**
   * Runs one target now (joins a run already in flight: never two at once). Rejects with
   * ProbeCancelledError when stop() cuts the check short.
   */
  run(name: string): Promise<ProbeRecord>;
  /** Runs every target once, bounded by the concurrency (probe --once). */
  runAll(): Promise<ProbeRecord[]>;
  status(): TargetStatus[];
  has(name: string): boolean;
}

/** A check cut short because the prober is stopping: nothing was learned about the target. */
export class ProbeCancelledError extends Error {
  constructor(target: string) {
    super(`Probe ${target} was cancelled: the prober is stopping.`);
    this.name = 'ProbeCancelledError';
  }
}

export function createProber(options: ProberOptions): Prober {
  const { targets, instruments, logger, bus, history, region = 'local' } = options;
  const { now = Date.now, clock = () => performance.now(), concurrency = 64 } = options;
  const fetch = options.fetch ?? (undiciFetch as unknown as FetchLike);
  const byName = new Map(targets.map((target) => [target.name, target]));
  const states = new Map(targets.map((target) => [target.name, initialState()]));
  const totals = new Map(targets.map((target) => [target.name, { runs: 0, failures: 0 }]));
  const latest = new Map<string, ProbeRecord>();
  // One connection pool per model target, carrying its connect timeout (undici's connect.timeout).
  const dispatchers = new Map<string, Agent>();
  const stopping = new AbortController();

  const dispatcherFor = (target: ProbeTarget) => {
    if (target.check.kind !== 'model') return undefined;
    let agent = dispatchers.get(target.name);
    if (!agent) {
      agent = new Agent({ connect: { timeout: target.check.spec.connectTimeoutMs }, connections: 2 });
      dispatchers.set(target.name, agent);
    }
    return agent;
  };

  const isSlow = (target: ProbeTarget, outcome: CheckOutcome) =>
    (target.latencyThresholdMs !== undefined && outcome.durationMs > target.latencyThresholdMs) ||
    (target.ttftThresholdMs !== undefined && (outcome.ttftMs ?? 0) > target.ttftThresholdMs);

  const execute = async (name: string): Promise<ProbeRecord> => {
    const target = byName.get(name) as ProbeTarget;
    const startedAt = now();
    const outcome = await runCheck(target.check, {
      now,
      clock,
      fetch,
      signal: stopping.signal,
      dispatcher: dispatcherFor(target),
    });
    // stop() aborts the checks in flight. Their failure says nothing about the target; published, it would
    // put a false failure (and with a threshold of 1 a "down" incident) in history and metrics on every
    // restart or deploy of a prober.
    if (stopping.signal.aborted && !outcome.success) throw new ProbeCancelledError(name);
    const before = states.get(name) ?? initialState();
    const after = nextState(
      before,
      { success: outcome.success, slow: outcome.success && isSlow(target, outcome) },
      target,
    );
    states.set(name, after);
    const record: ProbeRecord = {
      ...outcome,
      target: name,
      kind: target.kind,
      region,
      at: new Date(startedAt).toISOString(),
      state: after.state,
      previousState: before.state,
    };
    publish(target, record);
    return record;
  };

  const publish = (target: ProbeTarget, record: ProbeRecord) => {
    latest.set(target.name, record);
    const total = totals.get(target.name) as { runs: number; failures: number };
    total.runs += 1;
    if (!record.success) total.failures += 1;
    try {
      history?.append(record);
    } catch (error) {
      logger.warn({ err: error, target: target.name }, 'could not store probe result');
    }
    recordProbeMetrics(instruments, target, record);
    logger.info(logFields(record), 'probe result');
    bus.publish({
      type: 'probe_result',
      target: record.target,
      kind: record.kind,
      region,
      success: record.success,
      state: record.state,
      previousState: record.previousState,
      errorType: record.errorType,
      latencyMs: record.durationMs,
      ttftMs: record.ttftMs,
      statusCode: record.statusCode,
    });
    const changed = record.state !== record.previousState;
    // A first success (unknown → up) is not news; every other change is an incident.
    if (!changed || (record.previousState === 'unknown' && record.state === 'up')) return;
    const incident = stateIncidents[record.state];
    bus.publish({
      type: 'incident',
      id: `probe:${target.name}:${record.at}`,
      kind: `probe_${record.state}`,
      severity: incident.severity,
      title: `Probe ${target.name} ${incident.title} in ${region}`,
      subject: target.name,
      detail: { ...logFields(record), from: record.previousState, to: record.state, message: record.message },
    });
  };

  const scheduler = createScheduler({
    jobs: targets.map((target) => ({ name: target.name, intervalMs: target.intervalMs })),
    run: execute,
    now,
    timers: options.timers,
    concurrency,
    onStart: options.onStart,
    onSkip: (name) => logger.debug({ target: name }, 'probe slot skipped: previous run still going'),
  });

  return {
    start: () => scheduler.start(),
    async stop() {
      stopping.abort();
      await scheduler.stop();
      await Promise.all([...dispatchers.values()].map((agent) => agent.close().catch(() => undefined)));
      dispatchers.clear();
    },
    run: (name) =>
      stopping.signal.aborted
        ? Promise.reject(new ProbeCancelledError(name))
        : (scheduler.runNow(name) as Promise<ProbeRecord>),
    async runAll() {
      const results: ProbeRecord[] = [];
      const queue = [...targets];
      const worker = async () => {
        for (let target = queue.shift(); target; target = queue.shift())
          results.push(await execute(target.name));
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
      return targets.map((target) => results.find((result) => result.target === target.name) as ProbeRecord);
    },
    status: () =>
      targets.map((target) => {
        const counters = states.get(target.name) ?? initialState();
        return {
          name: target.name,
          kind: target.kind,
          intervalSeconds: target.intervalMs / 1000,
          ...counters,
          ...(totals.get(target.name) as { runs: number; failures: number }),
          last: latest.get(target.name),
        };
      }),
    has: (name) => byName.has(name),
  };
}
