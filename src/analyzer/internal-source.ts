import { createHash } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { Envelope, FailoverEvent, IncidentEvent, IncidentKind, ProbeState } from '../events/types.ts';
import type { AlertGroup } from './payload.ts';

type Status = 'firing' | 'resolved';

/**
 * Gateway incident kinds → the alert they raise or resolve. Kinds not listed are ignored (including the
 * analyzer's own `notification_failed`, so a broken notifier cannot feed itself).
 */
export const incidentAlerts = {
  circuit_open: { alertname: 'CircuitOpen', status: 'firing', severity: 'warning' },
  circuit_closed: { alertname: 'CircuitOpen', status: 'resolved', severity: 'warning' },
  all_targets_unavailable: { alertname: 'AllTargetsUnavailable', status: 'firing', severity: 'critical' },
  all_targets_recovered: { alertname: 'AllTargetsUnavailable', status: 'resolved', severity: 'critical' },
} as const satisfies Partial<Record<IncidentKind, { alertname: string; status: Status; severity: string }>>;
type MappedKind = keyof typeof incidentAlerts;

/**
 * Prober state changes (`probe_<state>` incidents with `detail.from`/`detail.to`): the alert a state
 * fires while the target is in it, resolved when the target leaves it. A target down because its quality
 * canary fails is `CanaryFailing` rather than `ProbeTargetDown`.
 */
export const probeStateAlerts = {
  down: {
    alertname: (e) => (e === 'canary_failed' ? 'CanaryFailing' : 'ProbeTargetDown'),
    severity: 'critical',
  },
  degraded: { alertname: () => 'ProbeTargetSlow', severity: 'warning' },
} as const satisfies Partial<
  Record<ProbeState, { alertname: (errorType: unknown) => string; severity: string }>
>;
/** Whether a state (as read from an incident's detail or a record) is one that fires an alert. */
export const alertingState = (state: unknown): state is keyof typeof probeStateAlerts =>
  typeof state === 'string' && Object.hasOwn(probeStateAlerts, state);

/** Failover reasons that mean "skipped by its breaker", not "failed on this request". */
const breakerSkips = new Set(['circuit_open', 'circuit_half_open']);

export interface InternalSourceOptions {
  bus: EventBus;
  submit: (group: AlertGroup) => void;
  now: () => number;
  stormCount: number;
  stormWindowMs: number;
  externalURL: string;
}

const identityKeys = ['provider', 'model', 'target', 'region'] as const;
const fingerprintOf = (labels: Record<string, string>) =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest('hex')
    .slice(0, 16);
const pick = (detail: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(
    keys
      .filter((key) => ['string', 'number'].includes(typeof detail[key]))
      .map((key) => [key, String(detail[key]).slice(0, 120)]),
  );

/**
 * The embedded alert source: turns bus events into Alertmanager-shaped groups so one process probes,
 * explains and notifies without Prometheus. The fingerprint covers identity labels only (what is broken),
 * and the firing labels and startsAt are remembered so the resolution matches them. Returns the unsubscribe.
 */
export function startInternalSource({
  bus,
  submit,
  now,
  stormCount,
  stormWindowMs,
  externalURL,
}: InternalSourceOptions): () => void {
  const firing = new Map<string, { startsAt: string; labels: Record<string, string> }>();
  const raise = (
    alertname: string,
    status: Status,
    identity: Record<string, string>,
    extra: Record<string, string>,
    summary: string,
  ) => {
    const fingerprint = fingerprintOf({ alertname, ...identity });
    const known = firing.get(fingerprint);
    if (status === 'resolved' ? !known : known) return; // nothing to resolve / already firing: no new page
    const labels = known?.labels ?? { alertname, source: 'inferwatch', ...identity, ...extra };
    const startsAt = known?.startsAt ?? new Date(now()).toISOString();
    if (status === 'firing') firing.set(fingerprint, { startsAt, labels });
    else firing.delete(fingerprint);
    submit({
      version: '4',
      groupKey: `internal:{}:{alertname="${alertname}",fingerprint="${fingerprint}"}`,
      truncatedAlerts: 0,
      status,
      receiver: 'internal',
      groupLabels: { alertname },
      commonLabels: labels,
      commonAnnotations: { summary },
      externalURL,
      alerts: [
        {
          status,
          labels,
          annotations: { summary },
          startsAt,
          endsAt: status === 'resolved' ? new Date(now()).toISOString() : '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint,
        },
      ],
    });
  };

  const onIncident = (event: Envelope<IncidentEvent>) => {
    const identity = { subject: event.subject.slice(0, 120), ...pick(event.detail, identityKeys) };
    const errorType = event.detail.errorType;
    const extra: Record<string, string> =
      typeof errorType === 'string' ? { error_type: errorType.slice(0, 60) } : {};
    const summary = event.title.slice(0, 300);
    const mapping = Object.hasOwn(incidentAlerts, event.kind)
      ? incidentAlerts[event.kind as MappedKind]
      : undefined;
    if (mapping)
      return raise(
        mapping.alertname,
        mapping.status,
        identity,
        { severity: mapping.severity, ...extra },
        summary,
      );
    if (!event.kind.startsWith('probe_')) return;
    if (alertingState(event.detail.from))
      for (const name of ['ProbeTargetDown', 'CanaryFailing', 'ProbeTargetSlow'])
        raise(name, 'resolved', identity, {}, summary);
    if (alertingState(event.detail.to)) {
      const entered = probeStateAlerts[event.detail.to];
      raise(
        entered.alertname(errorType),
        'firing',
        identity,
        { severity: entered.severity, ...extra },
        summary,
      );
    }
  };

  // Failover storm: N failovers within the window fire; a quiet window resolves. Requests passed over an
  // open (or half-open) breaker do not count: that breaker already raised CircuitOpen, and counting the
  // traffic it diverts would notify twice for one outage.
  // The gateway coalesces failover events (one a second per pair and reason, with a count), so each
  // event weighs its count.
  let failovers: { at: number; count: number }[] = [];
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  const onFailover = (event: Envelope<FailoverEvent>) => {
    if (breakerSkips.has(event.reason)) return;
    const t = now();
    failovers = failovers.filter(({ at }) => t - at < stormWindowMs);
    failovers.push({ at: t, count: Number.isInteger(event.count) && event.count > 0 ? event.count : 1 });
    const seen = failovers.reduce((total, { count }) => total + count, 0);
    if (seen >= stormCount)
      raise(
        'FailoverStorm',
        'firing',
        {},
        { severity: 'warning' },
        `${seen} failovers in ${stormWindowMs / 1000}s (last ${event.from} → ${event.to}: ${event.reason})`,
      );
    clearTimeout(quietTimer);
    quietTimer = setTimeout(
      () => raise('FailoverStorm', 'resolved', {}, {}, 'Failovers stopped'),
      stormWindowMs,
    );
    quietTimer.unref();
  };

  const offs = [bus.subscribe('incident', onIncident), bus.subscribe('failover', onFailover)];
  return () => {
    clearTimeout(quietTimer);
    for (const off of offs) off();
  };
}
