import { createHash } from 'node:crypto';
import type { ProbeState } from '../events/index.ts';
import { alertingState, probeStateAlerts } from './internal-source.ts';
import type { Alert, AlertGroup } from './payload.ts';

/** One probe result as the analyzer reads it (the prober's records carry these fields). */
export interface ProbeRunResult {
  target: string;
  kind: string;
  region: string;
  /** After the run's thresholds. */
  state: ProbeState;
  errorType?: string | undefined;
  message?: string | undefined;
  durationMs: number;
  statusCode?: number | undefined;
  at: string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Labels every alert shares (Alertmanager's commonLabels and commonAnnotations are computed the same way). */
function common(sets: Record<string, string>[]): Record<string, string> {
  const [first = {}, ...rest] = sets;
  return Object.fromEntries(
    Object.entries(first).filter(([key, value]) => rest.every((set) => set[key] === value)),
  );
}

function alertOf(result: ProbeRunResult): Alert | undefined {
  if (!alertingState(result.state)) return undefined;
  const mapping = probeStateAlerts[result.state];
  const identity = {
    alertname: mapping.alertname(result.errorType),
    target: clip(result.target, 120),
    kind: result.kind,
    region: clip(result.region, 60),
  };
  const labels: Record<string, string> = {
    ...identity,
    severity: mapping.severity,
    source: 'inferwatch',
    ...(result.errorType ? { error_type: result.errorType } : {}),
    ...(result.statusCode !== undefined ? { status_code: String(result.statusCode) } : {}),
  };
  const latency = `${Math.round(result.durationMs * 10) / 10} ms`;
  const why = result.errorType
    ? `${result.errorType}${result.message ? `: ${clip(result.message, 200)}` : ''}`
    : `slower than its latency threshold (${latency})`;
  return {
    status: 'firing',
    labels,
    annotations: {
      summary: `${identity.target} is ${result.state} from ${identity.region}`,
      description: `The ${result.kind} probe ${identity.target} is ${result.state} after ${latency}${result.statusCode !== undefined ? ` with HTTP ${result.statusCode}` : ''}: ${why}.`,
    },
    startsAt: result.at,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: createHash('sha256')
      .update(JSON.stringify(Object.entries(identity)))
      .digest('hex')
      .slice(0, 16),
  };
}

/**
 * A one-shot probe run as one Alertmanager-shaped group: one firing alert per target that is not up,
 * named like the internal alert source names them (ProbeTargetDown, CanaryFailing, ProbeTargetSlow), so
 * the same rules and the same LLM prompt explain it. Undefined when every target is up.
 */
export function probeRunGroup(
  results: readonly ProbeRunResult[],
  { externalURL }: { externalURL: string },
): AlertGroup | undefined {
  const alerts = results.flatMap((result) => alertOf(result) ?? []);
  if (alerts.length === 0) return undefined;
  const commonLabels = common(alerts.map((alert) => alert.labels));
  const groupLabels: Record<string, string> = commonLabels.alertname
    ? { alertname: commonLabels.alertname }
    : {};
  return {
    version: '4',
    groupKey: `probe-once:{}:${JSON.stringify(groupLabels)}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'probe-once',
    groupLabels,
    commonLabels,
    commonAnnotations: common(alerts.map((alert) => alert.annotations)),
    externalURL,
    alerts,
  };
}
