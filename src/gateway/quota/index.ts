export { createFleetQuotaStore, type FleetQuotaOptions } from './fleet-store.ts';
export { createQuotaGuard, type QuotaGuard, type QuotaGuardOptions } from './guard.ts';
export { formatReset, rateLimitHeaders } from './headers.ts';
export { createLimitsTable } from './limits.ts';
export { createMemoryQuotaStore } from './memory-store.ts';
export { createRedisQuotaStore } from './redis-store.ts';
export { createSubjectOf } from './subject.ts';
export type * from './types.ts';
