import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import { followUpLine, sourceLine, title, truncate } from './text.ts';
import type { Message, Notifier } from './types.ts';

/** Discord embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const discordLimits = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  content: 2000,
} as const;
// Alertmanager's own colours: firing dark red, resolved green, other grey.
const colours = { critical: 0x992d22, warning: 0xe67e22, info: 0x95a5a6, resolved: 0x2ecc71 } as const;

export function discordPayload(message: Message) {
  const { explanation } = message;
  const list = (items: string[]) => items.map((item) => `• ${item}`).join('\n') || '—';
  const fields = [
    {
      name: 'Evidence',
      value: truncate(list(explanation.evidence), discordLimits.fieldValue),
      inline: false,
    },
    { name: 'Actions', value: truncate(list(explanation.actions), discordLimits.fieldValue), inline: false },
    ...message.alerts.slice(0, 10).map((alert) => ({
      name: truncate(`${alert.labels.alertname ?? 'alert'} (${alert.status})`, discordLimits.fieldName),
      value: truncate(alert.summary || '—', discordLimits.fieldValue),
      inline: true,
    })),
  ].slice(0, discordLimits.fields);
  const embed = {
    title: truncate(title(message), discordLimits.title),
    description: truncate(
      [explanation.probableCause, '', sourceLine(message), followUpLine(message) ?? ''].join('\n').trim(),
      2000,
    ),
    color: message.kind === 'resolved' ? colours.resolved : colours[explanation.severity],
    fields,
    footer: { text: truncate(`${message.alertCount} alert(s) · ${message.link}`, discordLimits.footer) },
  };
  // 6000 characters across the whole embed: drop alert fields from the end until it fits.
  const size = () =>
    embed.title.length +
    embed.description.length +
    embed.footer.text.length +
    embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  while (size() > discordLimits.total && embed.fields.length > 2) embed.fields.pop();
  return {
    content: truncate(title(message), discordLimits.content),
    embeds: [embed],
    allowed_mentions: { parse: [] },
  };
}

export const discord: Notifier<ConfigOf<'discord'>> = {
  send: (config, message, deps) => postJson(config.webhookURL, discordPayload(message), deps),
};
