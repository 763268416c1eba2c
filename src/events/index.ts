export { createEventBus, type EventBus, type EventBusOptions, type Listener } from './bus.ts';
export type * from './types.ts';
