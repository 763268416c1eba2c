export { type Database, migrate, openDatabase, transaction } from './database.ts';
export { createIncidentStore, type Incident, type IncidentStore, type NewIncident } from './incidents.ts';
