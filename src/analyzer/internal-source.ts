import { createHash } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { Envelope, FailoverEvent, IncidentEvent } from '../events/types.ts';
import type { AlertGroup } from './payload.ts';

/**
 * Incident kinds from the gateway and the prober → the alert they raise or resolve. Kinds not listed are
 * ignored (including the analyzer's own `notification_failed`, so a broken notifier cannot feed itself).
 */
export const incidentAlerts: Record<
  string,
  { alertname: string; status: 'firing' | 'resolved'; severity: string }
> = {
  circuit_open: { alertname: 'CircuitOpen', status: 'firing', severity: 'warning' },
  circuit_closed: { alertname: 'CircuitOpen', status: 'resolved', severity: 'warning' },
  all_targets_unavailable: { alertname: 'AllTargetsUnavailable', status: 'firing', severity: 'critical' },
  all_targets_recovered: { alertname: 'AllTargetsUnavailable', status: 'resolved', severity: 'critical' },
  target_down: { alertname: 'ProbeTargetDown', status: 'firing', severity: 'critical' },
  probe_down: { alertname: 'ProbeTargetDown', status: 'firing', severity: 'critical' },
  target_up: { alertname: 'ProbeTargetDown', status: 'resolved', severity: 'critical' },
  probe_up: { alertname: 'ProbeTargetDown', status: 'resolved', severity: 'critical' },
  canary_failing: { alertname: 'CanaryFailing', status: 'firing', severity: 'warning' },
  canary_failed: { alertname: 'CanaryFailing', status: 'firing', severity: 'warning' },
  canary_ok: { alertname: 'CanaryFailing', status: 'resolved', severity: 'warning' },
  canary_recovered: { alertname: 'CanaryFailing', status: 'resolved', severity: 'warning' },
};

export interface InternalSourceOptions {
  bus: EventBus;
  submit: (group: AlertGroup) => void;
  now: () => number;
  stormCount: number;
  stormWindowMs: number;
  externalURL: string;
}

const fingerprintOf = (labels: Record<string, string>) =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest('hex')
    .slice(0, 16);
const stringLabels = (detail: Record<string, unknown>) =>
  Object.fromEntries(
    ['provider', 'model', 'target', 'region', 'errorType']
      .filter((key) => typeof detail[key] === 'string' || typeof detail[key] === 'number')
      .map((key) => [key === 'errorType' ? 'error_type' : key, String(detail[key]).slice(0, 120)]),
  );

/**
 * The embedded alert source: turns bus events into Alertmanager-shaped groups so one process probes,
 * explains and notifies without Prometheus. Firing state is remembered per fingerprint so the resolution
 * carries the same startsAt. Returns the unsubscribe function.
 */
export function startInternalSource({
  bus,
  submit,
  now,
  stormCount,
  stormWindowMs,
  externalURL,
}: InternalSourceOptions): () => void {
  const firingSince = new Map<string, string>();
  const raise = (
    alertname: string,
    status: 'firing' | 'resolved',
    labels: Record<string, string>,
    summary: string,
  ) => {
    const all = { alertname, source: 'inferwatch', ...labels };
    const fingerprint = fingerprintOf(all);
    const startsAt = firingSince.get(fingerprint) ?? new Date(now()).toISOString();
    if (status === 'resolved' && !firingSince.has(fingerprint)) return;
    if (status === 'firing' && firingSince.has(fingerprint)) return; // already firing: no new page
    if (status === 'firing') firingSince.set(fingerprint, startsAt);
    else firingSince.delete(fingerprint);
    submit({
      version: '4',
      groupKey: `internal:{}:{alertname="${alertname}",fingerprint="${fingerprint}"}`,
      truncatedAlerts: 0,
      status,
      receiver: 'internal',
      groupLabels: { alertname },
      commonLabels: all,
      commonAnnotations: { summary },
      externalURL,
      alerts: [
        {
          status,
          labels: all,
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
    const mapping = incidentAlerts[event.kind];
    if (!mapping) return;
    const labels = {
      severity: mapping.severity,
      subject: event.subject.slice(0, 120),
      ...stringLabels(event.detail),
    };
    raise(mapping.alertname, mapping.status, labels, event.title.slice(0, 300));
  };

  // Failover storm: N failovers within the window fire; a quiet window resolves.
  let failovers: number[] = [];
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  const onFailover = (event: Envelope<FailoverEvent>) => {
    const t = now();
    failovers = failovers.filter((at) => t - at < stormWindowMs);
    failovers.push(t);
    if (failovers.length >= stormCount)
      raise(
        'FailoverStorm',
        'firing',
        { severity: 'warning' },
        `${failovers.length} failovers in ${stormWindowMs / 1000}s (last ${event.from} → ${event.to}: ${event.reason})`,
      );
    clearTimeout(quietTimer);
    quietTimer = setTimeout(
      () => raise('FailoverStorm', 'resolved', { severity: 'warning' }, 'Failovers stopped'),
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
