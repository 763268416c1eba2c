export { createEventBus, type EventBus, type EventBusOptions, type Listener } from './bus.ts';
export type * from './types.ts';
export { incidentKinds, probeStates } from './types.ts';
