import type { Attributes } from '@opentelemetry/api';
import { serverOf } from '../providers/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import * as n from '../telemetry/semconv.ts';
import type { CheckKind, CheckOutcome, HttpPhase } from './checks/index.ts';
import type { ProbeTarget } from './probe-targets.ts';
import type { ProbeState } from './state.ts';

/** One stored, served and logged result: the check's outcome plus who, where, when and the state after it. */
export interface ProbeRecord extends CheckOutcome {
  target: string;
  kind: CheckKind;
  region: string;
  at: string;
  state: ProbeState;
  previousState: ProbeState;
}

const seconds = (ms: number) => ms / 1000;

/**
 * blackbox_exporter-shaped gauges for the last run, a run counter with outcome and error.type for ratio and
 * burn-rate math, and for model checks the GenAI client metrics tagged `inferwatch.synthetic=true`.
 * Region is not a data-point attribute: it is the resource's `cloud.region`, promoted by the Collector.
 */
export function recordProbeMetrics(instruments: Instruments, target: ProbeTarget, record: ProbeRecord): void {
  const base: Attributes = { [n.ATTR_PROBE_TARGET]: target.name, [n.ATTR_PROBE_KIND]: target.kind };
  instruments.probeSuccess.record(record.success ? 1 : 0, base);
  instruments.probeDuration.record(seconds(record.durationMs), base);
  instruments.probeRuns.record(1, {
    ...base,
    [n.ATTR_OUTCOME]: record.success ? 'success' : 'error',
    ...(record.errorType ? { [n.ATTR_ERROR_TYPE]: record.errorType } : {}),
  });
  instruments.probeTargetUp.record(record.state === 'down' ? 0 : 1, base);
  if (record.statusCode !== undefined || target.kind === 'http') {
    instruments.probeHttpStatusCode.record(record.statusCode ?? 0, base);
  }
  for (const [phase, ms] of Object.entries(record.phasesMs ?? {}) as [HttpPhase, number][]) {
    instruments.probeHttpDuration.record(seconds(ms), { ...base, [n.ATTR_PROBE_PHASE]: phase });
  }
  if (record.certExpiresAt !== undefined) {
    instruments.probeSslEarliestCertExpiry.record(Math.floor(record.certExpiresAt / 1000), base);
  }
  if (target.kind !== 'model' || target.check.kind !== 'model') return;
  if (record.ttftMs !== undefined) instruments.probeTimeToFirstToken.record(seconds(record.ttftMs), base);
  if (record.tokensPerSecond !== undefined)
    instruments.probeOutputTokensRate.record(record.tokensPerSecond, base);
  if (record.canaryPassed !== undefined)
    instruments.probeCanarySuccess.record(record.canaryPassed ? 1 : 0, base);
  const spec = target.check.spec;
  const server = serverOf(spec.endpoint().baseURL);
  const genAi: Attributes = {
    [n.ATTR_GEN_AI_OPERATION_NAME]: n.OPERATION_CHAT,
    [n.ATTR_GEN_AI_PROVIDER_NAME]: spec.genAiProviderName,
    [n.ATTR_PROVIDER_NAME]: spec.providerName,
    [n.ATTR_GEN_AI_REQUEST_MODEL]: spec.model,
    ...(server ? { [n.ATTR_SERVER_ADDRESS]: server.address, [n.ATTR_SERVER_PORT]: server.port } : {}),
    [n.ATTR_SYNTHETIC]: true,
    ...(record.errorType ? { [n.ATTR_ERROR_TYPE]: record.errorType } : {}),
  };
  instruments.genAiDuration.record(seconds(record.durationMs), genAi);
  if (record.ttftMs !== undefined) instruments.genAiTimeToFirstChunk.record(seconds(record.ttftMs), genAi);
  if (record.inputTokens !== undefined) {
    instruments.genAiTokenUsage.record(record.inputTokens, { ...genAi, [n.ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
  }
  if (record.outputTokens !== undefined && record.success) {
    instruments.genAiTokenUsage.record(record.outputTokens, {
      ...genAi,
      [n.ATTR_GEN_AI_TOKEN_TYPE]: 'output',
    });
  }
}

/** The one structured log line per result: no prompt or answer text, ever. */
export function logFields(record: ProbeRecord): Record<string, unknown> {
  return {
    target: record.target,
    kind: record.kind,
    region: record.region,
    model: record.model,
    latencyMs: Math.round(record.durationMs * 10) / 10,
    ttftMs: record.ttftMs === undefined ? undefined : Math.round(record.ttftMs * 10) / 10,
    statusCode: record.statusCode,
    errorType: record.errorType,
    success: record.success,
    state: record.state,
  };
}
