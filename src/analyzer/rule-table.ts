import type { Category, Severity } from './categories.ts';
import type { AnalysisContext } from './context.ts';
import type { Facts } from './facts.ts';

export interface Rule {
  category: Category;
  /** Returns the evidence when the rule applies (each item quotes the context), undefined when not. */
  match(facts: Facts, context: AnalysisContext): string[] | undefined;
  severity: Severity | ((facts: Facts) => Severity);
  cause(facts: Facts): string;
  actions: string[];
  confidence: number;
}

const has = (facts: Facts, pattern: RegExp) => pattern.test(facts.text);
const rate = (value: number) => `${Number(value.toPrecision(3))}/s`;
const errorEvidence = (facts: Facts, type: string) =>
  facts.errorTypes.has(type)
    ? [
        (facts.errorTypes.get(type) ?? 0) > 0
          ? `error_type="${type}" at ${rate(facts.errorTypes.get(type) ?? 0)}`
          : `alert label error_type="${type}"`,
      ]
    : [];
const dominantIs = (facts: Facts, ...types: string[]) =>
  facts.dominantError !== undefined && types.includes(facts.dominantError);
const list = (items: string[]) => items.map((item) => `"${item}"`).join(', ');
/** A text match counts as evidence by quoting the alert's own summary (or just its name, listed first). */
const orText = (facts: Facts, pattern: RegExp, evidence: string[]) =>
  evidence.length > 0
    ? evidence
    : has(facts, pattern)
      ? facts.summaries
          .filter((summary) => pattern.test(summary.toLowerCase()))
          .slice(0, 1)
          .map((summary) => `summary "${summary}"`)
      : undefined;

/**
 * The rule table, first match wins; order encodes precedence (a silent pipeline explains everything
 * after it, an auth error is more specific than an outage). Every row yields a complete explanation.
 */
export const rules: readonly Rule[] = [
  {
    category: 'telemetry_silent',
    match: (f) => orText(f, /absent|silent|telemetry|no ?data|pipeline|scrape|collector|heartbeat/, []),
    severity: 'warning',
    cause: () => 'The telemetry pipeline stopped delivering data; the service may be fine but is unobserved.',
    actions: [
      'Check the OpenTelemetry Collector and Prometheus scrape targets',
      'Confirm inferwatch_build_info is exported',
    ],
    confidence: 0.7,
  },
  {
    category: 'cert_expiry',
    match: (f) =>
      orText(
        f,
        /cert|ssl|tls.*expir/,
        f.minCertDays !== undefined && f.minCertDays < 14
          ? [`certificate expires in ${f.minCertDays.toFixed(1)} days`]
          : [],
      ),
    severity: (f) => (f.minCertDays !== undefined && f.minCertDays < 3 ? 'critical' : 'warning'),
    cause: () => 'A TLS certificate on a probed endpoint is close to expiry.',
    actions: ['Renew the certificate', 'Check the ACME/cert-manager renewal job'],
    confidence: 0.85,
  },
  {
    category: 'flapping',
    match: (f) =>
      f.flaps >= 2
        ? [`resolved ${f.flaps} times in the last 6 hours`]
        : has(f, /flap/)
          ? ['alert text mentions flapping']
          : undefined,
    severity: 'info',
    cause: () =>
      'The alert fires and resolves repeatedly: a threshold at the edge of normal, or an intermittent fault.',
    actions: [
      "Raise the rule's `for:` duration or threshold",
      'Look for an intermittent upstream fault at the flap times',
    ],
    confidence: 0.6,
  },
  {
    category: 'auth_failure',
    match: (f) =>
      dominantIs(f, 'auth')
        ? errorEvidence(f, 'auth')
        : orText(f, /\bauth|401|403|api.?key|unauthori[sz]ed|forbidden/, []),
    severity: 'critical',
    cause: () => 'The provider rejects our credentials (401/403): a wrong, revoked or expired API key.',
    actions: ['Rotate or re-enter the provider API key', 'Check the provider account status and billing'],
    confidence: 0.85,
  },
  {
    category: 'gateway_overload',
    match: (f) =>
      f.rateLimitedRate > 0.5
        ? [`inferwatch_gateway_rate_limited_total at ${rate(f.rateLimitedRate)}`]
        : orText(f, /gateway.?(overload|saturat|capacity|queue)|event.?loop|too many in.?flight/, []),
    severity: 'critical',
    cause: () => 'Our own gateway is saturated or rate-limiting clients; providers are not the bottleneck.',
    actions: ['Scale out gateway replicas', 'Review rateLimit settings and the top clients'],
    confidence: 0.7,
  },
  {
    category: 'provider_quota',
    match: (f) =>
      dominantIs(f, 'rate_limited')
        ? errorEvidence(f, 'rate_limited')
        : orText(f, /quota|rate.?limit|429/, []),
    severity: (f) => (f.successRatio !== undefined && f.successRatio < 0.5 ? 'critical' : 'warning'),
    cause: () => 'The provider answers 429: our quota or rate limit there is exhausted.',
    actions: [
      'Raise the quota or spread traffic to another provider',
      'Check Retry-After and lower client concurrency',
    ],
    confidence: 0.8,
  },
  {
    category: 'our_side',
    match: (f) =>
      f.providers.size >= 2 && f.failingProviders.length === f.providers.size
        ? [`every provider failing: ${list(f.failingProviders)}`]
        : orText(f, /all.?(providers|targets).?(unavailable|down|failing)/, []),
    severity: 'critical',
    cause: () =>
      'Every provider fails at once: the common factor is our side (egress, DNS, proxy or the gateway host).',
    actions: [
      'Check egress, DNS and proxy from the gateway hosts',
      'Compare with probes from another region',
    ],
    confidence: 0.75,
  },
  {
    category: 'regional_network',
    match: (f) =>
      f.failingRegions.length > 0 && f.healthyRegions.length > 0
        ? [`probes failing in ${list(f.failingRegions)} but passing in ${list(f.healthyRegions)}`]
        : orText(f, /down ?in ?region|from \S+ only/, []),
    severity: 'warning',
    cause: (f) =>
      `Failures are seen only from ${f.failingRegions.join(', ')}: a regional network or provider edge problem.`,
    actions: [
      'Check the network path from the failing region',
      "Route that region's traffic through another region if it persists",
    ],
    confidence: 0.75,
  },
  {
    category: 'degraded_but_served',
    match: (f) =>
      f.openBreakers.length > 0 && (f.successRatio ?? 0) >= 0.9
        ? [
            `circuit open for ${list(f.openBreakers)}`,
            `gateway success ratio ${f.successRatio?.toFixed(3)}`,
            ...(f.failoverRate > 0 ? [`failovers at ${rate(f.failoverRate)}`] : []),
          ]
        : (f.successRatio ?? 1) >= 0.9
          ? orText(f, /circuit.?(breaker.?)?open|failover.?storm|fail(s|ing)? ?over/, [])
          : undefined,
    severity: 'warning',
    cause: (f) =>
      `The breaker for ${f.openBreakers.join(', ') || 'the provider in the alert'} is open and failover keeps clients served.`,
    actions: ["Watch the fallback provider's capacity and cost", "Check the failing provider's status page"],
    confidence: 0.8,
  },
  {
    category: 'stream_truncation',
    match: (f) =>
      dominantIs(f, 'stream_cut', 'timeout_idle')
        ? [...errorEvidence(f, 'stream_cut'), ...errorEvidence(f, 'timeout_idle')]
        : orText(f, /trunc|stream.?(cut|interrupt|incomplete|abort)/, []),
    severity: 'warning',
    cause: () =>
      'Streams end before completion ([DONE] missing): the provider or a proxy cuts long responses.',
    actions: [
      'Check proxy idle timeouts between gateway and provider',
      'Compare truncation by provider and model',
    ],
    confidence: 0.7,
  },
  {
    category: 'quality_regression',
    match: (f) =>
      dominantIs(f, 'canary_failed') ? errorEvidence(f, 'canary_failed') : orText(f, /canary/, []),
    severity: 'warning',
    cause: () =>
      'The quality canary gets wrong answers: the model behind the endpoint changed (swap, quantization, prompt handling).',
    actions: [
      'Check the provider changelog for model updates',
      'Pin a dated model version if the provider offers one',
    ],
    confidence: 0.6,
  },
  {
    category: 'latency_regression',
    match: (f) =>
      dominantIs(f, 'timeout_first_token')
        ? errorEvidence(f, 'timeout_first_token')
        : orText(f, /latency|ttft|slow|duration|first.?token|p9\d/, []),
    severity: 'warning',
    cause: () =>
      'Responses got slower (latency or time to first token over its objective) without failing outright.',
    actions: [
      'Compare TTFT by provider and model in Grafana',
      'Consider routing latency-sensitive traffic to a faster target',
    ],
    confidence: 0.65,
  },
  {
    category: 'provider_outage',
    match: (f) =>
      f.failingProviders.length > 0
        ? [
            `failing provider(s): ${list(f.failingProviders)}`,
            ...(f.dominantError ? errorEvidence(f, f.dominantError) : []),
          ]
        : dominantIs(f, 'server_error', 'connect', 'timeout_connect', 'connection_reset', 'model_overloaded')
          ? errorEvidence(f, f.dominantError ?? '')
          : orText(
              f,
              /down|unavailable|outage|5\d\d|5xx|server.?error|error.?rate|availability|circuit|failing/,
              [],
            ),
    severity: (f) => (f.successRatio !== undefined && f.successRatio >= 0.9 ? 'warning' : 'critical'),
    cause: (f) =>
      `The provider ${f.failingProviders.join(', ') || 'named in the alert'} is failing (${f.dominantError ?? 'errors'}).`,
    actions: [
      "Check the provider's status page",
      'Make sure a fallback target is configured for the affected routes',
    ],
    confidence: 0.7,
  },
];
