import { createHash } from 'node:crypto';

/**
 * The key an incident tool deduplicates on, from the Alertmanager group key: hex SHA-256, exactly what
 * Alertmanager's own PagerDuty (`dedup_key`) and Opsgenie (`alias`) integrations send (notify.Key.Hash).
 * When Alertmanager pages through its integration and sends the same group to the analyzer, the
 * explanation therefore lands on the incident that the page opened instead of opening a second one.
 */
export function incidentKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}
