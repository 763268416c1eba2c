/**
 * The closed vocabulary of an explanation. Each value is also a metric label (`category`, `severity`),
 * declared up front so every label value exists from the start and a query never meets a missing series.
 */
export const categories = [
  'provider_outage', // one provider fails (5xx, connect) while others serve
  'provider_quota', // 429s: the provider's quota or rate limit
  'regional_network', // failures seen from one region only
  'our_side', // every provider fails at once: our egress, DNS or gateway
  'degraded_but_served', // breakers open but failover keeps answering clients
  'auth_failure', // 401/403: a key is wrong, revoked or expired
  'latency_regression', // latency or time to first token rose
  'stream_truncation', // streams end before [DONE]
  'quality_regression', // the canary prompt gets wrong answers: a model swap or upstream change
  'gateway_overload', // our own gateway saturates or rate-limits clients
  'telemetry_silent', // the telemetry pipeline stopped: we are blind, not necessarily down
  'cert_expiry', // a TLS certificate expires soon
  'flapping', // the same alert fires and resolves over and over
  'unknown', // nothing matched; the alert text is all we have
] as const;
export type Category = (typeof categories)[number];

export const severities = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];

export interface Explanation {
  severity: Severity;
  category: Category;
  summary: string;
  probableCause: string;
  /** Each item quotes a number or label present in the context. */
  evidence: string[];
  actions: string[];
  /** 0..1 */
  confidence: number;
  /** `rules` when the LLM was not configured, failed, timed out or answered invalidly. */
  source: 'llm' | 'rules';
  /** Why the LLM result was not used, when it was not. */
  fallbackReason?: string | undefined;
  /** LLM evidence items dropped because they quoted nothing present in the context. */
  droppedEvidence?: number | undefined;
}
