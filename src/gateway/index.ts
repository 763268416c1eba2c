import type { Component, RuntimeContext } from '../component.ts';
import { createRedisBreakerSync } from './breaker-sync-redis.ts';
import { createGateway } from './gateway.ts';

export { createBreaker } from './breaker.ts';
export { decisions } from './decisions.ts';
export { createGateway, type GatewayOptions } from './gateway.ts';

/**
 * The runtime's entry point: the gateway on the process's shared telemetry, bus and clock, its breakers
 * agreeing with the fleet's through Redis when `redis.url` is set.
 */
export function createGatewayComponent(ctx: RuntimeContext): Component {
  const link = ctx.fleet?.link;
  return createGateway({
    config: ctx.config,
    telemetry: ctx.telemetry,
    bus: ctx.bus,
    logger: ctx.logger,
    now: ctx.now,
    history: ctx.history,
    ...(link
      ? {
          breakerSync: createRedisBreakerSync({
            link,
            instance: ctx.instance,
            logger: ctx.logger,
            now: ctx.now,
          }),
        }
      : {}),
  });
}
