import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import { incidentKey } from './incident-key.ts';
import { followUpLine, sourceLine, title, truncate } from './text.ts';
import type { Message, Notifier } from './types.ts';

/**
 * Events API v2 limits (developer.pagerduty.com/docs/events-api-v2/trigger-events): summary 1024
 * characters, dedup_key 255, the whole event 512 KB. Detail strings are cut well below that so a group
 * of twenty alerts always fits.
 */
export const pagerdutyLimits = {
  summary: 1024,
  source: 255,
  detail: 2_000,
  alerts: 20,
  total: 500_000,
} as const;

const severities = { critical: 'critical', warning: 'warning', info: 'info' } as const;

/**
 * One event per notification, keyed by the group's incident key: the first trigger for a group opens
 * the incident (or joins the one Alertmanager's PagerDuty integration opened for the same group), later
 * ones add the explanation to its log, and `resolve` closes it.
 */
export function pagerdutyEvent(config: ConfigOf<'pagerduty'>, message: Message) {
  const dedupKey = incidentKey(message.groupKey);
  if (message.kind === 'resolved')
    return { routing_key: config.routingKey, event_action: 'resolve', dedup_key: dedupKey } as const;
  const { explanation } = message;
  const cut = (text: string) => truncate(text, pagerdutyLimits.detail);
  const details: Record<string, unknown> = {
    probable_cause: cut(explanation.probableCause),
    evidence: explanation.evidence.map(cut),
    actions: explanation.actions.map(cut),
    explained_by: sourceLine(message),
    follows_up: followUpLine(message),
    alert_count: message.alertCount,
    alerts: message.alerts.slice(0, pagerdutyLimits.alerts).map((alert) => ({
      alertname: alert.labels.alertname ?? 'alert',
      status: alert.status,
      summary: cut(alert.summary ?? ''),
    })),
    analysis: message.link,
  };
  const event = {
    routing_key: config.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'inferwatch analyzer',
    client_url: message.link,
    payload: {
      summary: truncate(title(message), pagerdutyLimits.summary),
      source: truncate(config.source, pagerdutyLimits.source),
      severity: severities[explanation.severity],
      component: message.alertname,
      class: explanation.category,
      custom_details: details,
    },
    links: [{ href: message.link, text: 'inferwatch analysis' }],
  };
  if (JSON.stringify(event).length > pagerdutyLimits.total) details.alerts = [];
  return event;
}

/**
 * 202 accepted; 400 an invalid event (never retried); 429 throttled and 5xx retried with backoff
 * (Retry-After honoured when sent). A trigger for a group that has resolved since is skipped: it would
 * reopen an incident that is over.
 */
export const pagerduty: Notifier<ConfigOf<'pagerduty'>> = {
  async send(config, message, deps) {
    if (message.kind !== 'resolved' && message.groupResolvedLater) return { ok: true };
    return postJson(config.url, pagerdutyEvent(config, message), deps);
  },
};
