export { type EventStream, startEventStream } from './event-stream.ts';
export { createFleet, type Fleet, type FleetOptions, type FleetStatus } from './fleet.ts';
export { createFleetIncidentStore } from './incidents.ts';
export { type Presence, startPresence } from './presence.ts';
export { createFleetWriter, type FleetWriter, type WriteKind } from './writer.ts';
