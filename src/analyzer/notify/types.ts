import type { FailureType } from '../../providers/index.ts';
import type { Explanation } from '../categories.ts';

export const notifierTypes = [
  'slack',
  'discord',
  'email',
  'webhook',
  'console',
  'pagerduty',
  'opsgenie',
  'teams',
] as const;
export type NotifierType = (typeof notifierTypes)[number];

/** What every notifier renders: one analysis of one alert group, or its resolution or reminder. */
export interface Message {
  analysisId: string;
  /** Stable per outbox row: receivers can deduplicate on it (sent as a header where the channel allows). */
  deliveryId: string;
  kind: 'alert' | 'resolved' | 'reminder';
  groupKey: string;
  alertname: string;
  explanation: Explanation;
  alerts: { status: string; labels: Record<string, string>; summary?: string | undefined }[];
  alertCount: number;
  externalURL: string;
  /** For a resolution or reminder: the analysis it follows up (Slack/Discord webhooks cannot edit). */
  followsUp?: { analysisId: string; at: string } | undefined;
  /** A link to the analysis in our API. */
  link: string;
  /**
   * The group has resolved since this analysis was made (its notification waited in the outbox). An
   * incident tool must not be told to open an incident for it again.
   */
  groupResolvedLater?: boolean | undefined;
}

/**
 * A delivery's outcome. A failure's `reason` is the shared failure class (a closed set: the same words the
 * gateway and the prober use); `detail` says what happened in this instance (`HTTP 401`, `smtp 550`).
 */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      retryable: boolean;
      reason: FailureType;
      detail: string;
      retryAfterMs?: number | undefined;
    };

export interface SendDeps {
  fetch: typeof globalThis.fetch;
  signal: AbortSignal;
  now: () => number;
  write: (line: string) => void;
}

export interface Notifier<C> {
  send(config: C, message: Message, deps: SendDeps): Promise<SendOutcome>;
}
