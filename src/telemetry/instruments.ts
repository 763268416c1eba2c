import type { Attributes, Meter } from '@opentelemetry/api';
import * as n from './semconv.ts';

type InstrumentKind = 'counter' | 'histogram' | 'gauge' | 'updown';

export interface InstrumentDefinition {
  name: string;
  kind: InstrumentKind;
  unit: string;
  description: string;
  /** Attribute keys a data point may carry; docs/metrics.md is generated from this table. */
  attributes: readonly string[];
  buckets?: readonly number[];
}

const genAiAttributes = [
  n.ATTR_GEN_AI_OPERATION_NAME,
  n.ATTR_GEN_AI_PROVIDER_NAME,
  n.ATTR_PROVIDER_NAME,
  n.ATTR_GEN_AI_REQUEST_MODEL,
  n.ATTR_GEN_AI_RESPONSE_MODEL,
  n.ATTR_SERVER_ADDRESS,
  n.ATTR_SERVER_PORT,
  n.ATTR_ERROR_TYPE,
  n.ATTR_SYNTHETIC,
] as const;
/** Our own per-target metrics: the configured provider name and its vendor. */
const providerAttributes = [n.ATTR_PROVIDER_NAME, n.ATTR_GEN_AI_PROVIDER_NAME] as const;
const probeAttributes = [n.ATTR_PROBE_TARGET, n.ATTR_PROBE_KIND] as const;

/** Every metric inferwatch emits. Keys are the handles code records through. */
export const instrumentDefinitions = {
  genAiDuration: {
    name: n.METRIC_GEN_AI_OPERATION_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one GenAI client operation (one upstream attempt, or one model probe)',
    attributes: genAiAttributes,
    buckets: n.GEN_AI_DURATION_BUCKETS,
  },
  genAiTimeToFirstChunk: {
    name: n.METRIC_GEN_AI_TIME_TO_FIRST_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time from sending a streaming request to the first content chunk',
    attributes: genAiAttributes,
    buckets: n.GEN_AI_DURATION_BUCKETS,
  },
  genAiTokenUsage: {
    name: n.METRIC_GEN_AI_TOKEN_USAGE,
    kind: 'histogram',
    unit: '{token}',
    description:
      'Tokens used per operation, by gen_ai.token.type (input or output); every answered gateway attempt, estimated from the text when the upstream sent no usage',
    attributes: [...genAiAttributes, n.ATTR_GEN_AI_TOKEN_TYPE, n.ATTR_CLIENT, n.ATTR_USAGE_ESTIMATED],
    buckets: n.GEN_AI_TOKEN_BUCKETS,
  },
  genAiTimePerOutputChunk: {
    name: n.METRIC_GEN_AI_TIME_PER_OUTPUT_CHUNK,
    kind: 'histogram',
    unit: 's',
    description:
      'Time between consecutive output chunks of a stream, recorded for each output chunk after the first',
    attributes: [
      n.ATTR_GEN_AI_OPERATION_NAME,
      ...providerAttributes,
      n.ATTR_SERVER_ADDRESS,
      n.ATTR_SERVER_PORT,
      n.ATTR_GEN_AI_REQUEST_MODEL,
    ],
    buckets: n.GEN_AI_DURATION_BUCKETS,
  },
  gatewayRequests: {
    name: n.METRIC_GATEWAY_REQUESTS,
    kind: 'counter',
    unit: '{request}',
    description: 'Client requests answered by the gateway, by outcome and error class',
    attributes: [
      n.ATTR_GEN_AI_REQUEST_MODEL,
      n.ATTR_OUTCOME,
      n.ATTR_ERROR_TYPE,
      n.ATTR_STREAM,
      n.ATTR_CLIENT,
    ],
  },
  gatewayRequestDuration: {
    name: n.METRIC_GATEWAY_REQUEST_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'Client-visible request duration, across every attempt of the chain',
    attributes: [n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_OUTCOME, n.ATTR_ERROR_TYPE, n.ATTR_STREAM],
    buckets: n.GEN_AI_DURATION_BUCKETS,
  },
  gatewayOverhead: {
    name: n.METRIC_GATEWAY_OVERHEAD,
    kind: 'histogram',
    unit: 's',
    description: 'Time the gateway itself added: request duration minus time spent waiting on upstreams',
    attributes: [n.ATTR_STREAM],
    buckets: n.OVERHEAD_BUCKETS,
  },
  gatewayAttempts: {
    name: n.METRIC_GATEWAY_ATTEMPTS,
    kind: 'counter',
    unit: '{attempt}',
    description:
      'Upstream attempts per provider and model, by outcome and error class (SLO numerator and denominator)',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_OUTCOME, n.ATTR_ERROR_TYPE],
  },
  gatewayRetries: {
    name: n.METRIC_GATEWAY_RETRIES,
    kind: 'counter',
    unit: '{retry}',
    description: 'Retries against the same target, by the error class that caused them',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_REASON],
  },
  gatewayFailovers: {
    name: n.METRIC_GATEWAY_FAILOVERS,
    kind: 'counter',
    unit: '{failover}',
    description: 'Moves from one provider to the next in a chain',
    attributes: [n.ATTR_FAILOVER_FROM, n.ATTR_FAILOVER_TO, n.ATTR_REASON],
  },
  gatewayStreamResumptions: {
    name: n.METRIC_GATEWAY_STREAM_RESUMPTIONS,
    kind: 'counter',
    unit: '{resumption}',
    description:
      'Streams that broke after the client received content and were continued on another target, by outcome (resumed, diverged, rejected, exhausted), method (replay, prefill), the provider whose stream broke and why',
    attributes: [n.ATTR_OUTCOME, n.ATTR_RESUME_METHOD, ...providerAttributes, n.ATTR_REASON],
  },
  gatewayCircuitState: {
    name: n.METRIC_GATEWAY_CIRCUIT_STATE,
    kind: 'gauge',
    // Not '1': the Collector's Prometheus translation appends `_ratio` to unit-1 gauges.
    unit: '{state}',
    description:
      'Deprecated (removed in the next release; use inferwatch.gateway.circuit.status): circuit breaker state per target, 0 closed, 1 half-open, 2 open',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL],
  },
  gatewayCircuitStatus: {
    name: n.METRIC_GATEWAY_CIRCUIT_STATUS,
    kind: 'gauge',
    unit: '{state}',
    description:
      'Circuit breaker state per target: 1 on the series of the state it is in (inferwatch.circuit.state closed, half_open or open), 0 on the other two',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_BREAKER_STATE],
  },
  gatewayCircuitTransitions: {
    name: n.METRIC_GATEWAY_CIRCUIT_TRANSITIONS,
    kind: 'counter',
    unit: '{transition}',
    description: 'Circuit breaker state changes',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_BREAKER_FROM, n.ATTR_BREAKER_TO],
  },
  gatewayRateLimited: {
    name: n.METRIC_GATEWAY_RATE_LIMITED,
    kind: 'counter',
    unit: '{request}',
    description:
      'Client requests refused by the gateway, by inferwatch.reason: requests (per window), tokens (per minute) or budget (429 budget_exceeded); inferwatch.rate_limit.bucket="shared" when the in-process limiter tracked rateLimit.maxClients and new clients shared one window',
    attributes: [n.ATTR_REASON, n.ATTR_RATE_LIMIT_BUCKET],
  },
  gatewayBudgetSpent: {
    name: n.METRIC_GATEWAY_BUDGET_SPENT,
    kind: 'gauge',
    unit: '',
    description:
      'Spent by a client key in the current UTC day or month, in USD or tokens (measure); the fleet total with Redis',
    attributes: [n.ATTR_CLIENT, n.ATTR_PERIOD, n.ATTR_MEASURE],
  },
  gatewayBudgetLimit: {
    name: n.METRIC_GATEWAY_BUDGET_LIMIT,
    kind: 'gauge',
    unit: '',
    description:
      "A client key's budget for the day or month, in USD or tokens (measure); spent / limit nears 1 before 429s",
    attributes: [n.ATTR_CLIENT, n.ATTR_PERIOD, n.ATTR_MEASURE],
  },
  gatewayPoolWait: {
    name: n.METRIC_GATEWAY_POOL_WAIT,
    kind: 'histogram',
    unit: 's',
    description:
      'Time a request waited for a slot to its provider (providers with maxConnections only; 0 when one was free)',
    attributes: [...providerAttributes],
    buckets: n.POOL_WAIT_BUCKETS,
  },
  gatewayOutputTokensRate: {
    name: n.METRIC_GATEWAY_OUTPUT_TOKENS_RATE,
    kind: 'histogram',
    unit: '{token}/s',
    description:
      "A stream's generation speed after its first token: output tokens / time from the first to the last output chunk",
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_GEN_AI_RESPONSE_MODEL],
    buckets: n.TOKENS_PER_SECOND_BUCKETS,
  },
  gatewayCost: {
    name: n.METRIC_GATEWAY_COST,
    kind: 'counter',
    unit: '{USD}',
    description:
      'What answered attempts cost in USD, from providers[].pricing (unpriced models are not counted)',
    attributes: [...providerAttributes, n.ATTR_GEN_AI_REQUEST_MODEL, n.ATTR_CLIENT],
  },
  fleetRedisAvailable: {
    name: n.METRIC_FLEET_REDIS_AVAILABLE,
    kind: 'gauge',
    unit: '{state}',
    description:
      'Whether this replica reaches the Redis its fleet shares (1) or runs on per-replica state (0); absent without redis.url',
    attributes: [],
  },
  fleetFallbacks: {
    name: n.METRIC_FLEET_FALLBACKS,
    kind: 'counter',
    unit: '{decision}',
    description:
      'Decisions made on per-replica state because Redis was unreachable (rate_limit, budget, breaker, event, incident)',
    attributes: [n.ATTR_OPERATION],
  },
  fleetWritesDropped: {
    name: n.METRIC_FLEET_WRITES_DROPPED,
    kind: 'counter',
    unit: '{write}',
    description:
      'Events and incidents dropped from the fleet stream because more than redis.maxPendingWrites waited for Redis',
    attributes: [n.ATTR_WRITE_KIND],
  },
  probeSuccess: {
    name: n.METRIC_PROBE_SUCCESS,
    kind: 'gauge',
    unit: '',
    description: 'Whether the last probe of a target succeeded (1) or not (0), as blackbox_exporter',
    attributes: probeAttributes,
  },
  probeDuration: {
    name: n.METRIC_PROBE_DURATION,
    kind: 'gauge',
    unit: 's',
    description: 'Duration of the last probe',
    attributes: probeAttributes,
  },
  probeHttpStatusCode: {
    name: n.METRIC_PROBE_HTTP_STATUS_CODE,
    kind: 'gauge',
    unit: '',
    description: 'HTTP status of the last probe (0 when no response)',
    attributes: probeAttributes,
  },
  probeHttpDuration: {
    name: n.METRIC_PROBE_HTTP_DURATION,
    kind: 'gauge',
    unit: 's',
    description: 'Duration of each HTTP phase of the last probe (dns, connect, tls, processing, transfer)',
    attributes: [...probeAttributes, n.ATTR_PROBE_PHASE],
  },
  probeSslEarliestCertExpiry: {
    name: n.METRIC_PROBE_SSL_EARLIEST_CERT_EXPIRY,
    kind: 'gauge',
    unit: '',
    description: 'Unix time (seconds) when the earliest certificate in the chain expires',
    attributes: probeAttributes,
  },
  probeRuns: {
    name: n.METRIC_PROBE_RUNS,
    kind: 'counter',
    unit: '{probe}',
    description: 'Probe runs by outcome and error class (ratio and burn-rate math)',
    attributes: [...probeAttributes, n.ATTR_OUTCOME, n.ATTR_ERROR_TYPE],
  },
  probeTargetUp: {
    name: n.METRIC_PROBE_TARGET_UP,
    kind: 'gauge',
    unit: '',
    description: 'Target state after anti-flap thresholds: 1 up or degraded, 0 down',
    attributes: probeAttributes,
  },
  probeTimeToFirstToken: {
    name: n.METRIC_PROBE_TIME_TO_FIRST_TOKEN,
    kind: 'gauge',
    unit: 's',
    description: 'Time to first content delta of the last model probe',
    attributes: probeAttributes,
  },
  probeOutputTokensRate: {
    name: n.METRIC_PROBE_OUTPUT_TOKENS_RATE,
    kind: 'gauge',
    unit: '{token}/s',
    description: 'Output tokens per second of the last model probe: tokens / (total - TTFT)',
    attributes: probeAttributes,
  },
  probeCanarySuccess: {
    name: n.METRIC_PROBE_CANARY_SUCCESS,
    kind: 'gauge',
    unit: '',
    description: 'Whether the quality canary answer matched (1) or not (0)',
    attributes: probeAttributes,
  },
  analyzerAlertsReceived: {
    name: n.METRIC_ANALYZER_ALERTS_RECEIVED,
    kind: 'counter',
    unit: '{alert}',
    description: 'Alerts received on the webhook, by status (firing/resolved)',
    attributes: [n.ATTR_ALERT_STATUS],
  },
  analyzerAnalyses: {
    name: n.METRIC_ANALYZER_ANALYSES,
    kind: 'counter',
    unit: '{analysis}',
    description: 'Alert groups explained, by category, severity and source (llm or rules)',
    attributes: [n.ATTR_CATEGORY, n.ATTR_SEVERITY, n.ATTR_SOURCE],
  },
  analyzerLlmDuration: {
    name: n.METRIC_ANALYZER_LLM_DURATION,
    kind: 'histogram',
    unit: 's',
    description: "Duration of the analyzer's own LLM calls",
    attributes: [n.ATTR_OUTCOME],
    buckets: n.GEN_AI_DURATION_BUCKETS,
  },
  analyzerLlmFallbacks: {
    name: n.METRIC_ANALYZER_LLM_FALLBACKS,
    kind: 'counter',
    unit: '{analysis}',
    description: 'Analyses that fell back to the rule-based explanation, by reason',
    attributes: [n.ATTR_REASON],
  },
  analyzerNotifications: {
    name: n.METRIC_ANALYZER_NOTIFICATIONS,
    kind: 'counter',
    unit: '{notification}',
    description: 'Notification delivery attempts by notifier and outcome (sent, retrying, failed)',
    attributes: [n.ATTR_NOTIFIER, n.ATTR_OUTCOME],
  },
  analyzerOutboxPending: {
    name: n.METRIC_ANALYZER_OUTBOX_PENDING,
    kind: 'updown',
    unit: '{notification}',
    description: 'Notifications queued in the outbox and not yet delivered',
    attributes: [],
  },
  buildInfo: {
    name: n.METRIC_BUILD_INFO,
    kind: 'gauge',
    unit: '',
    description: 'Always 1; labelled with the version. Its absence means the telemetry pipeline is broken',
    attributes: ['version'],
  },
} as const satisfies Record<string, InstrumentDefinition>;

export type InstrumentHandle = keyof typeof instrumentDefinitions;

/** A recorder that can never throw into the caller: telemetry must not break the request path. */
export interface Recorder {
  record(value: number, attributes?: Attributes): void;
}

export type Instruments = Record<InstrumentHandle, Recorder>;

export function createInstruments(meter: Meter, onError: (error: unknown) => void = () => {}): Instruments {
  const out = {} as Record<string, Recorder>;
  for (const [handle, definition] of Object.entries(instrumentDefinitions) as [
    string,
    InstrumentDefinition,
  ][]) {
    const options = {
      unit: definition.unit,
      description: definition.description,
      ...(definition.buckets ? { advice: { explicitBucketBoundaries: [...definition.buckets] } } : {}),
    };
    let record: (value: number, attributes?: Attributes) => void;
    switch (definition.kind) {
      case 'counter': {
        const counter = meter.createCounter(definition.name, options);
        record = (value, attributes) => counter.add(value, attributes);
        break;
      }
      case 'updown': {
        const counter = meter.createUpDownCounter(definition.name, options);
        record = (value, attributes) => counter.add(value, attributes);
        break;
      }
      case 'histogram': {
        const histogram = meter.createHistogram(definition.name, options);
        record = (value, attributes) => histogram.record(value, attributes);
        break;
      }
      case 'gauge': {
        const gauge = meter.createGauge(definition.name, options);
        record = (value, attributes) => gauge.record(value, attributes);
        break;
      }
    }
    out[handle] = {
      record(value, attributes) {
        try {
          record(value, attributes);
        } catch (error) {
          onError(error);
        }
      },
    };
  }
  return out as Instruments;
}
