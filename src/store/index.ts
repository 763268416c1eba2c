export { type Database, migrate, openDatabase, transaction } from './database.ts';
export {
  createIncidentStore,
  type Incident,
  type IncidentQuery,
  type IncidentStore,
  MAX_INCIDENT_LIST,
  type NewIncident,
  type SqliteIncidentStore,
} from './incidents.ts';
export {
  createStatusHistory,
  type MinuteBucket,
  RECENT_MINUTES,
  type SeriesHistory,
  type SeriesKind,
  type StatusHistory,
  seriesKinds,
} from './status-history.ts';
