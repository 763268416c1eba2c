export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type Listener,
  type SubscribeOptions,
} from './bus.ts';
export type * from './types.ts';
export { incidentKinds, probeStates } from './types.ts';
