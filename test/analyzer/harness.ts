import { vi } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import type { EventBus } from '../../src/events/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry, type TestTelemetry } from '../../src/telemetry/testing.ts';

// Two shared cores on CI: give every `expect.poll` in these tests 10 s instead of vitest's default 1 s.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 20 } } });

export interface StartOptions {
  analyzer?: Record<string, unknown>;
  storePath?: string;
  now?: () => number;
  telemetry?: TestTelemetry;
  bus?: EventBus;
}

/** The analyzer alone in a real runtime on port 0, with a fast outbox poll for tests. */
export async function startAnalyzer({
  analyzer = {},
  storePath = ':memory:',
  now,
  telemetry = createTestTelemetry(),
  bus,
}: StartOptions = {}) {
  const outbox = {
    pollMs: 20,
    baseDelayMs: 10,
    maxDelayMs: 50,
    sendTimeoutMs: 2_000,
    ...((analyzer.outbox as object) ?? {}),
  };
  const runtime: Runtime = createRuntime({
    config: parseConfig({ store: { path: storePath }, analyzer: { ...analyzer, outbox } }),
    role: 'analyzer',
    only: ['analyzer'],
    logger: silentLogger,
    telemetry,
    ...(now ? { now } : {}),
    ...(bus ? { bus } : {}),
  });
  const listening = await runtime.listen({ port: 0 });
  const url = listening.url;
  return {
    runtime,
    url,
    telemetry,
    post: (payload: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    analyses: async () =>
      ((await (await fetch(`${url}/api/analyses?limit=500`)).json()) as { data: AnalysisSummary[] }).data,
    stop: () => runtime.stop(),
  };
}

export interface AnalysisSummary {
  id: string;
  groupKey: string;
  status: string;
  repeatOf: string | null;
  category: string;
  severity: string;
  source: string;
  fallbackReason?: string;
  evidence: string[];
  droppedEvidence?: number;
}

export interface GroupOptions {
  groupKey?: string;
  status?: 'firing' | 'resolved';
  alertname?: string;
  alerts?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  generatorURL?: string;
}

/** An Alertmanager webhook v4 payload, as notify/webhook sends it. */
export function alertGroup({
  groupKey = '{}:{alertname="ProviderErrors"}',
  status = 'firing',
  alertname = 'ProviderErrors',
  alerts = 1,
  labels = {},
  annotations = {},
  startsAt = '2026-11-23T10:00:00Z',
  generatorURL = '',
}: GroupOptions = {}) {
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'inferwatch',
    groupLabels: { alertname },
    commonLabels: { alertname, severity: 'critical', ...labels },
    commonAnnotations: annotations,
    externalURL: 'http://alertmanager.local:9093',
    notification_reason: 'first notification',
    alerts: Array.from({ length: alerts }, (_, i) => ({
      status,
      labels: { alertname, severity: 'critical', instance: `i-${i}`, ...labels },
      annotations: { summary: `${alertname} on i-${i}`, ...annotations },
      startsAt,
      endsAt: status === 'resolved' ? '2026-11-23T10:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL,
      fingerprint: `${groupKey}-${i}`.replace(/[^a-z0-9]/gi, '').slice(-16) + i.toString(16),
    })),
  };
}
