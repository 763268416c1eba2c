export { type Database, migrate, openDatabase, transaction } from './database.ts';
export { createIncidentStore, type Incident, type IncidentStore, type NewIncident } from './incidents.ts';
export {
  createStatusHistory,
  type MinuteBucket,
  RECENT_MINUTES,
  type SeriesHistory,
  type SeriesKind,
  type StatusHistory,
  seriesKinds,
} from './status-history.ts';
