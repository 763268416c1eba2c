import type { Component, RuntimeContext } from '../component.ts';
import { createProbeHistory } from './history.ts';
import { resolveTargets } from './probe-targets.ts';
import { createProber } from './prober.ts';
import { createProbeRouter } from './routes.ts';

/**
 * The synthetic prober as a runtime component: schedules every configured target once the server listens
 * (model checks may call this very process), serves /api/probes, and stops cleanly.
 */
export function createProberComponent(ctx: RuntimeContext): Component {
  const config = ctx.config.prober;
  const region = config.region ?? ctx.config.telemetry.region ?? 'local';
  const history = createProbeHistory(ctx.db, { perTarget: config.historySize });
  const targets = config.enabled ? resolveTargets(ctx.config, ctx.selfURL) : [];
  const prober = createProber({
    targets,
    region,
    instruments: ctx.telemetry.instruments,
    logger: ctx.logger.child({ component: 'prober' }),
    bus: ctx.bus,
    history,
    concurrency: config.concurrency,
    now: ctx.now,
  });
  let started = false;
  return {
    name: 'prober',
    router: createProbeRouter(prober, history, region),
    start() {
      history.prune(new Date(ctx.now() - ctx.config.store.retentionDays * 86_400_000));
      prober.start();
      started = true;
    },
    async stop() {
      started = false;
      await prober.stop();
    },
    ready: () => started || targets.length === 0,
    summary() {
      const status = prober.status();
      const count = (state: string) => status.filter((target) => target.state === state).length;
      return {
        region,
        targets: status.length,
        up: count('up'),
        degraded: count('degraded'),
        down: count('down'),
        unknown: count('unknown'),
      };
    },
  };
}

export { createProbeHistory, type ProbeHistory } from './history.ts';
export { type ProbeTarget, resolveTargets } from './probe-targets.ts';
export {
  createProber,
  ProbeCancelledError,
  type Prober,
  type ProberOptions,
  type TargetStatus,
} from './prober.ts';
export type { ProbeRecord } from './record.ts';
export { createScheduler, offsetFor, type Scheduler, type Timers } from './scheduler.ts';
