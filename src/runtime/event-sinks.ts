import type { EventBus } from '../events/index.ts';
import type { Logger } from '../log/index.ts';
import type { IncidentStore, StatusHistory } from '../store/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { LOG_EVENT_PREFIX } from '../telemetry/semconv.ts';

/** Event types too frequent or too empty to be worth a log record each. */
const notLogged = new Set(['heartbeat', 'metrics']);

/**
 * The bus's durable subscribers: incidents go to the store, probe results to the status history, every
 * meaningful event becomes an OTel log record. A store failure is logged and swallowed: the publisher is
 * often the request path.
 */
export function wireEventSinks(
  bus: EventBus,
  incidents: IncidentStore,
  telemetry: Telemetry,
  logger: Logger,
  history?: StatusHistory,
): void {
  // In memory until the runtime's next flush: counting a check never touches the disk.
  if (history) {
    bus.subscribe('probe_result', (event) =>
      history.record('probe', event.target, event.success, event.latencyMs),
    );
  }
  bus.subscribe('incident', (event) => {
    try {
      incidents.record({
        id: event.id,
        at: event.at,
        kind: event.kind,
        severity: event.severity,
        title: event.title,
        subject: event.subject,
        detail: event.detail,
      });
    } catch (error) {
      logger.error({ err: error, incident: event.kind }, 'could not store incident; continuing without it');
    }
  });
  bus.subscribe('*', (event) => {
    if (notLogged.has(event.type)) return;
    const severity = event.type === 'incident' && event.severity === 'critical' ? 'warn' : 'info';
    telemetry.emitLog(
      `${LOG_EVENT_PREFIX}${event.type}`,
      event as unknown as Record<string, unknown>,
      severity,
    );
  });
}
