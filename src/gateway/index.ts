import type { Component, RuntimeContext } from '../component.ts';
import { createRedisBreakerSync } from './breaker-sync-redis.ts';
import { createGateway } from './gateway.ts';
import { createFleetQuotaStore } from './quota/index.ts';

export { createBreaker } from './breaker.ts';
export { decisions } from './decisions.ts';
export { createGateway, type GatewayOptions } from './gateway.ts';

/**
 * The runtime's entry point: the gateway on the process's shared telemetry, bus and clock. With
 * `redis.url` its breakers agree with the fleet's and its limits and budgets are the fleet's.
 */
export function createGatewayComponent(ctx: RuntimeContext): Component {
  const fleet = ctx.fleet;
  return createGateway({
    config: ctx.config,
    telemetry: ctx.telemetry,
    bus: ctx.bus,
    logger: ctx.logger,
    now: ctx.now,
    history: ctx.history,
    ...(fleet
      ? {
          breakerSync: createRedisBreakerSync({
            link: fleet.link,
            instance: ctx.instance,
            logger: ctx.logger,
            now: ctx.now,
          }),
          quotaStore: createFleetQuotaStore({
            link: fleet.link,
            whenDown: ctx.config.rateLimit.whenRedisDown,
            replicas: fleet.replicas,
            maxClients: ctx.config.rateLimit.maxClients,
          }),
        }
      : {}),
  });
}
