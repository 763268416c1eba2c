import express from 'express';
import type { Component, RuntimeContext } from '../component.ts';
import { createSimulator } from './simulator.ts';

export { faultKinds } from './faults.ts';
export { type Http2Listening, type Http2Options, listenHttp2 } from './http2.ts';
export type { RecordedRequest, SimulatorStats } from './instances.ts';
export { type ChatRequest, defaultReplyText, simulatedModels } from './replies.ts';
export { type FaultMode, type RuntimeFaults, runtimeFaultsSchema } from './runtime-faults.ts';
export { createSimulator, defaultInstance, type Simulator, type SimulatorOptions } from './simulator.ts';
export { type RunningSimulator, type StartSimulatorOptions, startSimulator } from './start.ts';

/**
 * The embedded simulator: serves `{mountPath}/:instance/v1/...` from the gateway's own process, so the
 * embedded default's providers (`/simulator/primary/v1`, `/simulator/backup/v1`) need nothing else.
 */
export function createSimulatorComponent(
  ctx: RuntimeContext,
): Component & { simulator: ReturnType<typeof createSimulator> } {
  const simulator = createSimulator({ now: ctx.now, controlKeys: ctx.config.server.apiKeys });
  const router = express.Router();
  router.use(ctx.config.simulator.mountPath, simulator.router);
  return {
    name: 'simulator',
    router,
    simulator,
    stop: () => simulator.close(),
    summary: () => ({ mountPath: ctx.config.simulator.mountPath }),
  };
}
