import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import { incidentKey } from './incident-key.ts';
import { plainText, title, truncate } from './text.ts';
import type { Message, Notifier, SendDeps, SendOutcome } from './types.ts';

/** Alert API limits (docs.opsgenie.com/docs/alert-api): message 130, alias 512, description 15000, note 25000, 20 tags of 50, source and user 100. */
export const opsgenieLimits = {
  message: 130,
  description: 15_000,
  note: 25_000,
  tags: 20,
  tag: 50,
  detail: 500,
} as const;

const priorities = { critical: 'P1', warning: 'P3', info: 'P5' } as const;
const actor = { user: 'inferwatch', source: 'inferwatch analyzer' } as const;

export function opsgenieAlert(config: ConfigOf<'opsgenie'>, message: Message) {
  const { explanation } = message;
  const tags = [...config.tags, 'inferwatch', explanation.severity, explanation.category];
  return {
    message: truncate(title(message), opsgenieLimits.message),
    alias: incidentKey(message.groupKey),
    description: truncate(plainText(message), opsgenieLimits.description),
    priority: priorities[explanation.severity],
    tags: [...new Set(tags)].slice(0, opsgenieLimits.tags).map((tag) => truncate(tag, opsgenieLimits.tag)),
    details: {
      alertname: truncate(message.alertname, opsgenieLimits.detail),
      category: explanation.category,
      analysis: truncate(message.link, opsgenieLimits.detail),
    },
    entity: truncate(message.alertname, 512),
    ...actor,
  };
}

/** The explanation as a note on the alert: notes add to its activity log and never reopen a closed alert. */
export const opsgenieNote = (message: Message) => ({
  note: truncate(plainText(message), opsgenieLimits.note),
  ...actor,
});

/**
 * The group's alert is identified by its alias (the incident key Alertmanager's Opsgenie integration
 * uses too). A firing group: create the alert — Opsgenie deduplicates onto the open one with that alias —
 * then add the explanation as a note. A reminder adds a note; a resolution closes the alert with one.
 * Every call is answered 202 (processed asynchronously); 4xx other than 408/429 is not retried.
 */
export const opsgenie: Notifier<ConfigOf<'opsgenie'>> = {
  async send(config, message, deps) {
    const base = config.apiURL.replace(/\/+$/, '');
    const alias = encodeURIComponent(incidentKey(message.groupKey));
    const onAlert = (action: 'notes' | 'close') =>
      `${base}/v2/alerts/${alias}/${action}?identifierType=alias`;
    const post = (url: string, body: unknown) => postGenie(url, body, config.apiKey, deps);
    if (message.kind === 'resolved') return post(onAlert('close'), opsgenieNote(message));
    if (message.kind === 'alert' && !message.groupResolvedLater) {
      const created = await post(`${base}/v2/alerts`, opsgenieAlert(config, message));
      if (!created.ok) return created;
    }
    return post(onAlert('notes'), opsgenieNote(message));
  },
};

const postGenie = (url: string, body: unknown, apiKey: string, deps: SendDeps): Promise<SendOutcome> =>
  postJson(url, body, deps, { authorization: `GenieKey ${apiKey}` });
