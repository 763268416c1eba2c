import express from 'express';
import { type Listening, listen } from '../../src/http/index.ts';
import { answerFault, createFaultQueue } from './faults.ts';

/** An event as PagerDuty's Events API v2 takes it (developer.pagerduty.com/docs/events-api-v2). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  client?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    custom_details?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
export interface PagerDutyIncident {
  dedupKey: string;
  status: 'triggered' | 'resolved';
  /** Every event accepted for this incident, in order: the page, then enrichments, then resolutions. */
  events: PagerDutyEvent[];
}

const severities = new Set(['critical', 'error', 'warning', 'info']);
const actions = new Set(['trigger', 'acknowledge', 'resolve']);

/** Why PagerDuty would answer 400 "Event object is invalid", or undefined when the event is valid. */
function invalid(event: Partial<PagerDutyEvent>): string | undefined {
  if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32) return 'Invalid routing key';
  if (!actions.has(String(event.event_action))) return 'Event action is invalid';
  if (event.dedup_key !== undefined && (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255))
    return 'Dedup key is invalid';
  if (event.event_action !== 'trigger') return event.dedup_key ? undefined : 'Dedup key is required';
  const payload = event.payload;
  if (!payload || typeof payload.summary !== 'string' || payload.summary.length === 0)
    return "'payload.summary' is missing or blank";
  if (payload.summary.length > 1024) return "'payload.summary' is too long";
  if (typeof payload.source !== 'string' || payload.source.length === 0) return "'payload.source' is missing";
  if (!severities.has(payload.severity)) return "'payload.severity' is invalid";
  return undefined;
}

/**
 * A PagerDuty Events API v2 endpoint (`POST /v2/enqueue`) for tests: validates events as PagerDuty does,
 * keeps incidents by dedup key (a trigger joins the open incident with its key or opens a new one, a
 * resolve closes it), and fails on demand (429 with Retry-After, 5xx, hangs, 400).
 */
export async function startPagerDuty() {
  const faults = createFaultQueue();
  const received: { status: number; event: Partial<PagerDutyEvent> }[] = [];
  const incidents: PagerDutyIncident[] = [];
  const open = (key: string) => incidents.find((i) => i.dedupKey === key && i.status === 'triggered');
  const app = express();
  app.use(express.json({ limit: '512kb' }));
  app.post('/v2/enqueue', (req, res) => {
    const event = (req.body ?? {}) as Partial<PagerDutyEvent>;
    const taken = faults.take();
    if (taken.fault !== 'ok') {
      received.push({ status: taken.fault === 'hang' ? 0 : taken.fault, event });
      answerFault(res, taken, (status) =>
        status === 429
          ? { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly.' }
          : { status: 'error', message: 'Internal error' },
      );
      return;
    }
    const problem = invalid(event);
    if (problem) {
      received.push({ status: 400, event });
      res
        .status(400)
        .json({ status: 'invalid event', message: 'Event object is invalid', errors: [problem] });
      return;
    }
    received.push({ status: 202, event });
    const accepted = event as PagerDutyEvent;
    const dedupKey = accepted.dedup_key ?? `generated-${received.length}`;
    const incident = open(dedupKey);
    if (accepted.event_action === 'trigger') {
      if (incident) incident.events.push(accepted);
      else incidents.push({ dedupKey, status: 'triggered', events: [accepted] });
    } else if (incident) {
      incident.events.push(accepted);
      if (accepted.event_action === 'resolve') incident.status = 'resolved';
    }
    res.status(202).json({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });
  const listening: Listening = await listen(app);
  return {
    url: `${listening.url}/v2/enqueue`,
    received,
    incidents,
    /** Events PagerDuty accepted (202). */
    accepted: () => received.filter((r) => r.status === 202).map((r) => r.event as PagerDutyEvent),
    failNext: faults.failNext,
    clearFaults: faults.clear,
    close: () => listening.close(0),
  };
}
