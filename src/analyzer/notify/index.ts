import type { ConfigOf, NotifierConfig } from './config.ts';
import { consoleNotifier } from './console.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { opsgenie } from './opsgenie.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import type { Message, Notifier, NotifierType, SendDeps, SendOutcome } from './types.ts';
import { webhook } from './webhook.ts';

/** Notifier type → implementation: one signature per notifier, so adding one is one file and one row. */
export const notifiers = {
  slack,
  discord,
  email,
  webhook,
  console: consoleNotifier,
  pagerduty,
  opsgenie,
  teams,
} satisfies { [T in NotifierType]: Notifier<ConfigOf<T>> };

export function send(config: NotifierConfig, message: Message, deps: SendDeps): Promise<SendOutcome> {
  return (notifiers[config.type] as Notifier<NotifierConfig>).send(config, message, deps);
}

/** Whether a notifier's `match` routes this analysis to it. */
export function routes(config: NotifierConfig, severity: string, labels: Record<string, string>): boolean {
  const { match } = config;
  if (!match) return true;
  if (match.severity && !match.severity.includes(severity as 'critical')) return false;
  return Object.entries(match.labels ?? {}).every(([key, value]) => labels[key] === value);
}

export type { NotifierConfig } from './config.ts';
export { discordLimits, discordPayload } from './discord.ts';
export { incidentKey } from './incident-key.ts';
export { opsgenieAlert, opsgenieLimits, opsgenieNote } from './opsgenie.ts';
export { pagerdutyEvent, pagerdutyLimits } from './pagerduty.ts';
export { slackLimits, slackPayload } from './slack.ts';
export { teamsLimits, teamsPayload } from './teams.ts';
export type { Message, SendOutcome } from './types.ts';
export { sign, signatureHeaders } from './webhook.ts';
