/**
 * Every telemetry name inferwatch emits lives here, so a semconv rename is one line.
 *
 * GenAI names are the v1.41-era set that the JS constants (`@opentelemetry/semantic-conventions/incubating`
 * 1.45) and dashboards in the wild use. The GenAI repo's main branch is renaming them
 * (gen_ai.client.inference.*, open-telemetry/semantic-conventions-genai); when that is released, change
 * the strings below and the dashboards/alerts that reference the Prometheus forms.
 *
 * Prometheus forms (after the Collector's default UnderscoreEscapingWithSuffixes translation) are noted
 * beside each metric: dots become underscores, unit `s` adds `_seconds`, counters add `_total`.
 */

// ---- attribute keys ----------------------------------------------------------------------------
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';

// inferwatch's own attributes (bounded value sets only: never a URL with ids, a user or a prompt)
/** The provider's name in the config (`providers[].name`); gen_ai.provider.name is the vendor's well-known value. */
export const ATTR_PROVIDER_NAME = 'inferwatch.provider.name';
export const ATTR_ATTEMPT = 'inferwatch.attempt';
export const ATTR_OUTCOME = 'inferwatch.outcome'; // success | error
export const ATTR_STREAM = 'inferwatch.stream'; // true | false
export const ATTR_SYNTHETIC = 'inferwatch.synthetic'; // true on probe traffic so SLOs can exclude it
export const ATTR_FAILOVER_FROM = 'inferwatch.failover.from';
export const ATTR_FAILOVER_TO = 'inferwatch.failover.to';
export const ATTR_REASON = 'inferwatch.reason';
export const ATTR_RATE_LIMIT_BUCKET = 'inferwatch.rate_limit.bucket'; // client (its own window) | shared (past rateLimit.maxClients)
export const ATTR_BREAKER_STATE = 'inferwatch.circuit.state'; // closed | half_open | open
export const ATTR_BREAKER_FROM = 'inferwatch.circuit.from_state';
export const ATTR_BREAKER_TO = 'inferwatch.circuit.to_state';
export const ATTR_PROBE_TARGET = 'inferwatch.probe.target';
export const ATTR_PROBE_KIND = 'inferwatch.probe.kind';
export const ATTR_PROBE_PHASE = 'inferwatch.probe.phase';
export const ATTR_NOTIFIER = 'inferwatch.notifier';
export const ATTR_CATEGORY = 'inferwatch.analysis.category';
export const ATTR_SEVERITY = 'inferwatch.analysis.severity';
export const ATTR_SOURCE = 'inferwatch.analysis.source';
export const ATTR_ALERT_STATUS = 'inferwatch.alert.status';
/** The name of the gateway API key a request presented (never the key); `anonymous` when the gateway is open. */
export const ATTR_CLIENT = 'inferwatch.client';
/** True when token counts are estimated from the text (the upstream sent no usage). */
export const ATTR_USAGE_ESTIMATED = 'inferwatch.usage.estimated';
/** Span-only: milliseconds an attempt waited for a request slot to its provider (maxConnections). */
export const ATTR_POOL_WAIT_MS = 'inferwatch.pool.wait_ms';
/** How a broken stream was continued: `replay` (regenerated and compared) or `prefill` (continued). */
export const ATTR_RESUME_METHOD = 'inferwatch.resume.method';
/** Span-only: characters of output the client had received when its stream broke. */
export const ATTR_RESUME_OFFSET = 'inferwatch.resume.offset';
/** Outcomes of a stream resumption: a bounded set, the `inferwatch.outcome` label of its counter. */
export const RESUME_OUTCOMES = ['resumed', 'diverged', 'rejected', 'exhausted'] as const;
/** Span-only: what an attempt cost in USD, when its model is priced. */
export const ATTR_COST_USD = 'inferwatch.cost.usd';
export const ATTR_OPERATION = 'inferwatch.fleet.operation'; // what ran on per-replica state while Redis was unreachable
export const ATTR_WRITE_KIND = 'inferwatch.fleet.write_kind'; // event | incident
export const ATTR_PERIOD = 'inferwatch.budget.period'; // day | month
export const ATTR_MEASURE = 'inferwatch.budget.measure'; // usd | tokens

// resource attributes
export const RES_SERVICE_NAME = 'service.name';
export const RES_SERVICE_VERSION = 'service.version';
export const RES_SERVICE_INSTANCE_ID = 'service.instance.id';
export const RES_CLOUD_REGION = 'cloud.region';
export const RES_DEPLOYMENT_ENVIRONMENT = 'deployment.environment.name';

export const OPERATION_CHAT = 'chat';
/**
 * `gen_ai.operation.name` per OpenAI endpoint the gateway serves, in the GenAI conventions' values. The
 * Responses API generates a chat turn, so it is `chat` too.
 */
export const operationNames = {
  chat: OPERATION_CHAT,
  embeddings: 'embeddings',
  completions: 'text_completion',
  responses: OPERATION_CHAT,
} as const;

// ---- span and event names ----------------------------------------------------------------------
export const SPAN_EVENT_FAILOVER = 'inferwatch.failover';
export const SPAN_EVENT_RETRY = 'inferwatch.retry';
export const SPAN_EVENT_RESUME = 'inferwatch.stream.resume';
export const SPAN_EVENT_BREAKER = 'inferwatch.circuit.transition';
export const LOG_EVENT_PREFIX = 'inferwatch.';

// ---- metric names ------------------------------------------------------------------------------
// GenAI client metrics, recorded per upstream attempt (gateway) and per model probe (prober).
export const METRIC_GEN_AI_OPERATION_DURATION = 'gen_ai.client.operation.duration'; // gen_ai_client_operation_duration_seconds
export const METRIC_GEN_AI_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk'; // gen_ai_client_operation_time_to_first_chunk_seconds
export const METRIC_GEN_AI_TOKEN_USAGE = 'gen_ai.client.token.usage'; // gen_ai_client_token_usage
export const METRIC_GEN_AI_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.operation.time_per_output_chunk'; // gen_ai_client_operation_time_per_output_chunk_seconds

// Gateway
export const METRIC_GATEWAY_REQUESTS = 'inferwatch.gateway.requests'; // inferwatch_gateway_requests_total
export const METRIC_GATEWAY_REQUEST_DURATION = 'inferwatch.gateway.request.duration'; // inferwatch_gateway_request_duration_seconds
export const METRIC_GATEWAY_OVERHEAD = 'inferwatch.gateway.overhead'; // inferwatch_gateway_overhead_seconds
export const METRIC_GATEWAY_ATTEMPTS = 'inferwatch.gateway.attempts'; // inferwatch_gateway_attempts_total
export const METRIC_GATEWAY_RETRIES = 'inferwatch.gateway.retries'; // inferwatch_gateway_retries_total
export const METRIC_GATEWAY_FAILOVERS = 'inferwatch.gateway.failovers'; // inferwatch_gateway_failovers_total
export const METRIC_GATEWAY_STREAM_RESUMPTIONS = 'inferwatch.gateway.stream_resumptions'; // inferwatch_gateway_stream_resumptions_total
/** Deprecated, kept one release beside METRIC_GATEWAY_CIRCUIT_STATUS: one number per state (0 closed, 1 half-open, 2 open). */
export const METRIC_GATEWAY_CIRCUIT_STATE = 'inferwatch.gateway.circuit.state'; // inferwatch_gateway_circuit_state
/** 1 for the state a breaker is in, 0 for the others, one series per inferwatch.circuit.state. */
export const METRIC_GATEWAY_CIRCUIT_STATUS = 'inferwatch.gateway.circuit.status'; // inferwatch_gateway_circuit_status
export const METRIC_GATEWAY_CIRCUIT_TRANSITIONS = 'inferwatch.gateway.circuit.transitions'; // inferwatch_gateway_circuit_transitions_total
export const METRIC_GATEWAY_RATE_LIMITED = 'inferwatch.gateway.rate_limited'; // inferwatch_gateway_rate_limited_total{inferwatch_reason,inferwatch_rate_limit_bucket}
export const METRIC_GATEWAY_POOL_WAIT = 'inferwatch.gateway.pool.wait'; // inferwatch_gateway_pool_wait_seconds
export const METRIC_GATEWAY_OUTPUT_TOKENS_RATE = 'inferwatch.gateway.output_tokens'; // inferwatch_gateway_output_tokens_per_second (unit {token}/s)
export const METRIC_GATEWAY_COST = 'inferwatch.gateway.cost.usd'; // inferwatch_gateway_cost_usd_total
export const METRIC_GATEWAY_BUDGET_SPENT = 'inferwatch.gateway.budget.spent'; // inferwatch_gateway_budget_spent{inferwatch_client,inferwatch_budget_period,inferwatch_budget_measure}
export const METRIC_GATEWAY_BUDGET_LIMIT = 'inferwatch.gateway.budget.limit'; // inferwatch_gateway_budget_limit{inferwatch_client,inferwatch_budget_period,inferwatch_budget_measure}

// Fleet (Redis-backed state shared by gateway replicas)
export const METRIC_FLEET_REDIS_AVAILABLE = 'inferwatch.fleet.redis.available'; // inferwatch_fleet_redis_available (1 reachable, 0 not)
export const METRIC_FLEET_FALLBACKS = 'inferwatch.fleet.fallbacks'; // inferwatch_fleet_fallbacks_total{inferwatch_fleet_operation}
export const METRIC_FLEET_WRITES_DROPPED = 'inferwatch.fleet.writes.dropped'; // inferwatch_fleet_writes_dropped_total{inferwatch_fleet_write_kind}

// Prober: names chosen so the Prometheus forms read like blackbox_exporter's.
export const METRIC_PROBE_SUCCESS = 'probe_success'; // probe_success
export const METRIC_PROBE_DURATION = 'probe_duration'; // probe_duration_seconds
export const METRIC_PROBE_HTTP_STATUS_CODE = 'probe_http_status_code'; // probe_http_status_code
export const METRIC_PROBE_HTTP_DURATION = 'probe_http_duration'; // probe_http_duration_seconds{phase}
export const METRIC_PROBE_SSL_EARLIEST_CERT_EXPIRY = 'probe_ssl_earliest_cert_expiry'; // probe_ssl_earliest_cert_expiry (unix seconds)
export const METRIC_PROBE_RUNS = 'probe_runs'; // probe_runs_total{outcome,error_type}
export const METRIC_PROBE_TARGET_UP = 'probe_target_up'; // probe_target_up (after anti-flap thresholds)
export const METRIC_PROBE_TIME_TO_FIRST_TOKEN = 'probe_model_time_to_first_token'; // probe_model_time_to_first_token_seconds
export const METRIC_PROBE_OUTPUT_TOKENS_RATE = 'probe_model_output_tokens'; // probe_model_output_tokens_per_second (unit {token}/s)
export const METRIC_PROBE_CANARY_SUCCESS = 'probe_canary_success'; // probe_canary_success

// Analyzer
export const METRIC_ANALYZER_ALERTS_RECEIVED = 'inferwatch.analyzer.alerts.received'; // inferwatch_analyzer_alerts_received_total
export const METRIC_ANALYZER_ANALYSES = 'inferwatch.analyzer.analyses'; // inferwatch_analyzer_analyses_total{category,severity,source}
export const METRIC_ANALYZER_LLM_DURATION = 'inferwatch.analyzer.llm.duration'; // inferwatch_analyzer_llm_duration_seconds
export const METRIC_ANALYZER_LLM_FALLBACKS = 'inferwatch.analyzer.llm.fallbacks'; // inferwatch_analyzer_llm_fallbacks_total{reason}
export const METRIC_ANALYZER_NOTIFICATIONS = 'inferwatch.analyzer.notifications'; // inferwatch_analyzer_notifications_total{notifier,outcome}
export const METRIC_ANALYZER_OUTBOX_PENDING = 'inferwatch.analyzer.outbox.pending'; // inferwatch_analyzer_outbox_pending

// Process-wide: always present, so `absent(inferwatch_build_info)` detects a silent telemetry pipeline.
export const METRIC_BUILD_INFO = 'inferwatch.build.info'; // inferwatch_build_info{version}

// ---- histogram buckets -------------------------------------------------------------------------
/** GenAI semconv recommended boundaries for durations (seconds). */
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** GenAI semconv recommended boundaries for token counts. */
export const GEN_AI_TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** A wait for a request slot: nothing when the cap is not reached, up to the request deadline when it is. */
export const POOL_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Generation speed after the first token, from a slow local model to a fast hosted one. */
export const TOKENS_PER_SECOND_BUCKETS = [1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 1000];
/** Gateway overhead is sub-millisecond when healthy, so its buckets start far below the GenAI ones. */
export const OVERHEAD_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
