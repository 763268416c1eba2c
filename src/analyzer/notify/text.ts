import type { Message } from './types.ts';

/** Cuts to a limit (in UTF-16 units, as Slack and Discord count) and says so. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '…(truncated)';
  return `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

export const kindTitle = { alert: '', resolved: 'RESOLVED: ', reminder: 'Still firing: ' } as const;

export function title(message: Message): string {
  const { explanation } = message;
  return `${kindTitle[message.kind]}[${explanation.severity.toUpperCase()}] ${explanation.summary}`;
}

/** The line every channel shows about where the explanation came from. */
export function sourceLine(message: Message): string {
  const { explanation } = message;
  const how =
    explanation.source === 'llm'
      ? 'LLM-assisted'
      : `rule-based${explanation.fallbackReason ? ` (LLM ${explanation.fallbackReason})` : ''}`;
  return `${how} · category ${explanation.category} · confidence ${Math.round(explanation.confidence * 100)}%`;
}

export function followUpLine(message: Message): string | undefined {
  if (!message.followsUp) return undefined;
  return `Follows up the notification of ${message.followsUp.at} (analysis ${message.followsUp.analysisId}).`;
}

export function plainText(message: Message): string {
  const { explanation } = message;
  return [
    title(message),
    sourceLine(message),
    followUpLine(message),
    '',
    `Probable cause: ${explanation.probableCause}`,
    '',
    'Evidence:',
    ...explanation.evidence.map((item) => `  - ${item}`),
    '',
    'Actions:',
    ...explanation.actions.map((item) => `  - ${item}`),
    '',
    `Alerts (${message.alertCount}): ${message.alerts
      .map((alert) => alert.labels.alertname ?? '')
      .slice(0, 10)
      .join(', ')}`,
    `Details: ${message.link}`,
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}
