import { createHmac } from 'node:crypto';
import type { ConfigOf } from './config.ts';
import { postJson } from './http-outcome.ts';
import type { Message, Notifier } from './types.ts';

export const signatureHeaders = {
  signature: 'x-inferwatch-signature', // sha256=<hex HMAC-SHA256 of `${timestamp}.${body}`>
  timestamp: 'x-inferwatch-timestamp', // unix seconds; reject old ones to stop replays
  delivery: 'x-inferwatch-delivery', // stable per outbox row: deduplicate on it
} as const;

export function webhookBody(message: Message) {
  return {
    version: '1',
    kind: message.kind,
    analysisId: message.analysisId,
    deliveryId: message.deliveryId,
    groupKey: message.groupKey,
    alertname: message.alertname,
    ...message.explanation,
    alerts: message.alerts,
    alertCount: message.alertCount,
    externalURL: message.externalURL,
    followsUp: message.followsUp,
    link: message.link,
  };
}

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const webhook: Notifier<ConfigOf<'webhook'>> = {
  send(config, message, deps) {
    const body = JSON.stringify(webhookBody(message));
    const timestamp = String(Math.floor(deps.now() / 1000));
    const headers: Record<string, string> = {
      [signatureHeaders.delivery]: message.deliveryId,
      [signatureHeaders.timestamp]: timestamp,
    };
    if (config.secret) headers[signatureHeaders.signature] = sign(config.secret, timestamp, body);
    return postJson(config.url, body, deps, headers);
  },
};
