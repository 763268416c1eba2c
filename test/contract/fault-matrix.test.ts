import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { postJson } from '../../src/analyzer/notify/http-outcome.ts';
import { httpCheckSchema } from '../../src/config/prober-schema.ts';
import { httpCheck } from '../../src/prober/checks/http.ts';
import { modelCheck } from '../../src/prober/checks/model.ts';
import type { FailureType } from '../../src/providers/index.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, type GatewayUnderTest, startGateway } from '../gateway/harness.ts';
import { modelSpec, realDeps } from '../prober/helpers.ts';

/**
 * One fault, every caller: the gateway relaying a client's request, the prober's model check and its
 * http check, and a notifier posting to a receiver all meet the same upstream misbehaviour and must name
 * it with the same `error.type`, so dashboards and alerts that join their errors agree.
 */
interface Row {
  /** Where the fault lives: a simulator fault kind, a host that does not resolve, a port nobody serves. */
  fault: string;
  /** What the gateway and the model check report. */
  type: FailureType;
  /**
   * What an http check and a notifier report for the same answer, when they can meet it (a plain HTTP
   * callee has no streams or model conventions); absent where the fault only exists for a model API.
   */
  http?: FailureType;
  /** Only a stream can carry it (a JSON answer of the same fault is whole and healthy). */
  streamOnly?: true;
}

const matrix: Row[] = [
  { fault: '429', type: 'rate_limited', http: 'rate_limited' },
  { fault: '500', type: 'server_error', http: 'server_error' },
  { fault: '502', type: 'server_error', http: 'server_error' },
  // A proxy in front of the upstream gave up waiting for it: no answer started in time.
  { fault: 'status-504', type: 'timeout_first_token', http: 'timeout_first_token' },
  { fault: 'status-408', type: 'timeout_first_token', http: 'timeout_first_token' },
  // Capacity for a model API; any other endpoint's 503 is its own "unavailable".
  { fault: 'overloaded', type: 'model_overloaded', http: 'server_error' },
  { fault: 'auth', type: 'auth', http: 'auth' },
  { fault: '403', type: 'auth', http: 'auth' },
  { fault: 'context-length', type: 'context_length', http: 'client_error' },
  { fault: 'content-filter', type: 'content_filter', http: 'client_error' },
  { fault: 'reset', type: 'connection_reset', http: 'connection_reset' },
  { fault: 'not-http', type: 'malformed_response', http: 'malformed_response' },
  { fault: 'dns', type: 'dns', http: 'dns' },
  { fault: 'refused', type: 'connect', http: 'connect' },
  { fault: 'silence', type: 'timeout_first_token' },
  // The role chunk, then nothing: no content arrived, so it is the first token that is late.
  { fault: 'stall-after-0', type: 'timeout_first_token', streamOnly: true },
  { fault: 'cut-after-1', type: 'stream_cut', streamOnly: true },
  { fault: 'malformed-after-0', type: 'malformed_response' },
  { fault: 'error-event-after-1', type: 'server_error', streamOnly: true },
  { fault: 'empty', type: 'empty_response' },
];

const firstTokenMs = 400;
let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
let refusedURL: string;
const unresolvableURL = 'http://no-such-host.invalid/v1';

/** The base URL and upstream model that carry a row's fault. */
function callee(fault: string): { baseURL: string; model: string } {
  if (fault === 'dns') return { baseURL: unresolvableURL, model: 'sim-small' };
  if (fault === 'refused') return { baseURL: refusedURL, model: 'sim-small' };
  return { baseURL: upstream.baseURL, model: `sim-small+fault-${fault}` };
}

beforeAll(async () => {
  upstream = await startSimulatedUpstream();
  refusedURL = `http://127.0.0.1:${await freePort()}/v1`;
  const timeouts = { connectMs: 1_000, firstTokenMs, idleMs: 1_000, totalMs: 5_000 };
  gateway = await startGateway({
    providers: [
      fastProvider('sim', upstream.baseURL, { timeouts }),
      fastProvider('nowhere', unresolvableURL, { timeouts }),
      fastProvider('refused', refusedURL, { timeouts }),
    ],
    routes: matrix.map(({ fault }) => {
      const provider = fault === 'dns' ? 'nowhere' : fault === 'refused' ? 'refused' : 'sim';
      return { model: fault, targets: [{ provider, model: callee(fault).model }] };
    }),
    // One attempt, no failover and a breaker that never opens: each row sees exactly its own fault.
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, deadlineMs: 10_000 },
    circuitBreaker: { failureThreshold: 1000, minimumRequests: 1000 },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

/** The `error.type` of the gateway's upstream attempt for this client model, from its client span. */
async function gatewayErrorType(fault: string, stream: boolean): Promise<unknown> {
  const before = gateway.telemetry.spans().length;
  const response = await gateway.post('/v1/chat/completions', chatBody(fault, { stream }));
  await response.text();
  const model = callee(fault).model;
  const attempt = () =>
    gateway.telemetry
      .spans()
      .slice(before)
      .find((span) => span.kind === SpanKind.CLIENT && span.attributes['gen_ai.request.model'] === model);
  await expect.poll(attempt).toBeDefined();
  return attempt()?.attributes['error.type'];
}

describe.each([true, false])('the same fault, the same error.type (stream %s)', (stream) => {
  it.each(matrix.filter((row) => stream || !row.streamOnly))(
    '$fault is $type through the gateway and the model check',
    async ({ fault, type }) => {
      const { baseURL, model } = callee(fault);
      const probe = await modelCheck(
        modelSpec(baseURL, {
          model,
          stream,
          firstTokenTimeoutMs: firstTokenMs,
          timeoutMs: 5_000,
          prompt: 'Reply with exactly: a b c',
        }),
        realDeps(),
      );
      expect({ gateway: await gatewayErrorType(fault, stream), probe: probe.errorType }).toEqual({
        gateway: type,
        probe: type,
      });
    },
  );
});

describe('plain HTTP callees: http checks and notifiers', () => {
  it.each(matrix.filter((row) => row.http !== undefined))(
    '$fault is $http for an http check and a notifier',
    async ({ fault, http }) => {
      const { baseURL, model } = callee(fault);
      const url = `${baseURL}/chat/completions`;
      const body = JSON.stringify(chatBody(model));
      const parsed = httpCheckSchema.parse({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        timeoutMs: 5_000,
      });
      const check = await httpCheck({ ...parsed, parsedConditions: [] }, realDeps());
      const delivery = await postJson(url, body, {
        fetch: globalThis.fetch,
        signal: AbortSignal.timeout(5_000),
        now: Date.now,
      });
      expect({ check: check.errorType, notifier: delivery.ok ? 'delivered' : delivery.reason }).toEqual({
        check: http,
        notifier: http,
      });
    },
  );
});
