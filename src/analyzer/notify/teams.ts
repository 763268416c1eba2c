import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import { followUpLine, plainText, sourceLine, title, truncate } from './text.ts';
import type { Message, Notifier } from './types.ts';

/**
 * Microsoft Teams limits: a webhook message (Workflows or the older incoming-webhook connector) may be at
 * most 28 KB (learn.microsoft.com, "Send messages using incoming webhooks"); longer text blocks render
 * but make the card unreadable, so each block is cut well below that.
 */
export const teamsLimits = { block: 3_000, facts: 10, factValue: 500, bytes: 27_000 } as const;

// Adaptive Card text colours: red for critical, amber for warning, blue for info, green when resolved.
const colours = { critical: 'Attention', warning: 'Warning', info: 'Accent', resolved: 'Good' } as const;

const text = (value: string, extra: Record<string, unknown> = {}) => ({
  type: 'TextBlock',
  text: truncate(value, teamsLimits.block),
  wrap: true,
  ...extra,
});

/** An Adaptive Card (schema 1.4) in the message envelope both Workflows and connectors accept. */
export function teamsPayload(message: Message) {
  const { explanation } = message;
  const list = (items: string[]) => items.map((item) => `- ${item}`).join('\n') || '—';
  const facts = {
    type: 'FactSet',
    facts: message.alerts.slice(0, teamsLimits.facts).map((alert) => ({
      title: `${alert.labels.alertname ?? 'alert'} (${alert.status})`,
      value: truncate(alert.summary || '—', teamsLimits.factValue),
    })),
  };
  const followUp = followUpLine(message);
  const heading = text(title(message), {
    size: 'Medium',
    weight: 'Bolder',
    color: message.kind === 'resolved' ? colours.resolved : colours[explanation.severity],
  });
  const source = text(sourceLine(message), { isSubtle: true, spacing: 'None' });
  const body: unknown[] = [
    heading,
    source,
    text(`**Probable cause**\n\n${explanation.probableCause}`),
    text(`**Evidence**\n\n${list(explanation.evidence)}`),
    text(`**Actions**\n\n${list(explanation.actions)}`),
    facts,
    ...(followUp ? [text(followUp, { isSubtle: true })] : []),
    text(`${message.alertCount} alert(s)`, { isSubtle: true }),
  ];
  const card = (blocks: unknown[]) => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: blocks,
          actions: /^https?:\/\//.test(message.link)
            ? [{ type: 'Action.OpenUrl', title: 'Open the analysis', url: message.link }]
            : [],
        },
      },
    ],
  });
  const full = card(body);
  if (Buffer.byteLength(JSON.stringify(full)) <= teamsLimits.bytes) return full;
  // Over the size limit: the heading, then the whole explanation as one block cut to fit.
  return card([heading, source, text(truncate(plainText(message), teamsLimits.block))]);
}

/** Workflows answers 202 (it runs the flow later), the older connector 200; 429 and 5xx are retried. */
export const teams: Notifier<ConfigOf<'teams'>> = {
  send: (config, message, deps) => postJson(config.webhookURL, teamsPayload(message), deps),
};
