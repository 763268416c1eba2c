import type { Component, RuntimeContext } from '../component.ts';
import { createGateway } from './gateway.ts';

export { createBreaker } from './breaker.ts';
export { decisions } from './decisions.ts';
export { createGateway, type GatewayOptions } from './gateway.ts';

/** The runtime's entry point: the gateway on the process's shared telemetry, bus and clock. */
export function createGatewayComponent(ctx: RuntimeContext): Component {
  return createGateway({
    config: ctx.config,
    telemetry: ctx.telemetry,
    bus: ctx.bus,
    logger: ctx.logger,
    now: ctx.now,
    history: ctx.history,
  });
}
