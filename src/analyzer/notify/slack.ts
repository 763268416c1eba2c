import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import { followUpLine, plainText, sourceLine, title, truncate } from './text.ts';
import type { Message, Notifier } from './types.ts';

/** Block Kit limits (api.slack.com/reference/block-kit): header 150, section text 3000, 10 fields of 2000, 50 blocks. */
export const slackLimits = {
  header: 150,
  section: 3000,
  field: 2000,
  fields: 10,
  blocks: 50,
  total: 12_000,
} as const;
const emoji = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
} as const;

export function slackPayload(message: Message) {
  const { explanation } = message;
  const section = (text: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text, slackLimits.section) },
  });
  const list = (items: string[]) => items.map((item) => `• ${item}`).join('\n');
  const icon = message.kind === 'resolved' ? ':white_check_mark:' : emoji[explanation.severity];
  const blocks: unknown[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(title(message), slackLimits.header), emoji: true },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(`${icon} ${sourceLine(message)}`, slackLimits.section) }],
    },
    section(`*Probable cause*\n${explanation.probableCause}`),
    section(`*Evidence*\n${list(explanation.evidence)}`),
    section(`*Actions*\n${list(explanation.actions)}`),
    {
      type: 'section',
      fields: message.alerts.slice(0, slackLimits.fields).map((alert) => ({
        type: 'mrkdwn',
        text: truncate(
          `*${alert.labels.alertname ?? 'alert'}* (${alert.status})\n${alert.summary ?? ''}`,
          slackLimits.field,
        ),
      })),
    },
  ];
  const followUp = followUpLine(message);
  if (followUp)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(followUp, slackLimits.section) }],
    });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(`${message.alertCount} alert(s) · <${message.link}|analysis>`, slackLimits.section),
      },
    ],
  });
  // Slack rejects a message whose blocks add up past ~13k characters: drop the alert fields, then evidence detail.
  let payload = {
    text: truncate(title(message), slackLimits.section),
    blocks: blocks.slice(0, slackLimits.blocks),
  };
  if (JSON.stringify(payload).length > slackLimits.total)
    payload = {
      text: payload.text,
      blocks: [blocks[0], blocks[1], section(truncate(plainText(message), slackLimits.section))],
    };
  return payload;
}

/** Slack's incoming webhook answers 200 `ok`, and 4xx with an error text (invalid_blocks, no_service) otherwise. */
export const slack: Notifier<ConfigOf<'slack'>> = {
  send: (config, message, deps) => postJson(config.webhookURL, slackPayload(message), deps),
};
