import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Alertmanager webhook payload version 4 (notify/webhook + template.Data). Objects are loose: newer
 * Alertmanagers add fields (`notification_reason`, `routeLabels`) and Grafana adds more (`orgId`,
 * `values`), and rejecting them would make Alertmanager drop the notification for good (4xx is not retried).
 */
const labelSet = z.record(z.string(), z.string());

export const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string().min(1),
  endsAt: z.string().default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1),
});

export const webhookSchema = z.looseObject({
  version: z.string().default('4'),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  notification_reason: z.string().optional(),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type Alert = z.infer<typeof alertSchema>;
export type AlertGroup = z.infer<typeof webhookSchema>;

/** Issues as `path: reason`, one line each, for the 400 body. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The group state's identity: groupKey + status + each alert's fingerprint and startsAt, sorted. Retries
 * and HA peers send byte-different bodies for the same state (timestamps, order), so the body hash is not it.
 */
export function idempotencyKey(group: AlertGroup): string {
  const alerts = group.alerts.map((alert) => `${alert.fingerprint}@${alert.startsAt}:${alert.status}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([group.groupKey, group.status, alerts]))
    .digest('hex')
    .slice(0, 32);
}

/** The PromQL of the rule that fired, from Prometheus's `generatorURL` (`/graph?g0.expr=...`). */
export function promqlOf(alert: Alert): string | undefined {
  if (!alert.generatorURL) return undefined;
  try {
    const expr = new URL(alert.generatorURL).searchParams.get('g0.expr');
    return expr && expr.length <= 2000 ? expr : undefined;
  } catch {
    return undefined;
  }
}

/** Alertmanager's "still firing" sentinel is the zero time (year 1). */
export const isOngoing = (alert: Alert) => alert.endsAt.startsWith('0001-');
