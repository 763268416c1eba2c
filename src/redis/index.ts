export {
  createRedisLink,
  type FleetOperation,
  fleetOperations,
  type RedisLink,
  type RedisLinkOptions,
  type RedisStatus,
} from './link.ts';
export { describeRedis, reconnectDelay, redisOptions } from './options.ts';
export { boundedKeyPart, defineScript, type RedisScript } from './script.ts';
