import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { captureLines } from '../security/capture.ts';
import { chatBody, fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
const log = captureLines();

// One target per route: the upstream's failure is what the client gets back, with nothing to fail over to.
beforeAll(async () => {
  upstream = await startSimulatedUpstream();
  gateway = await startGateway(
    {
      providers: [fastProvider('primary', upstream.baseURL)],
      routes: [{ model: '*', targets: [{ provider: 'primary' }] }],
      retry: { ...fastRetry, maxAttempts: 1 },
      circuitBreaker: { failureThreshold: 1000, minimumRequests: 1000 },
    },
    { logger: createLogger({ level: 'info', destination: log.stream }) },
  );
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

/** Everything a client gets back: status, headers and body, as one text. */
const clientView = async (response: Response) =>
  `${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`;

describe('upstream error text never reaches the client', () => {
  it.each([
    // fault, status, code, upstream text the client must not see (every simulator error says "simulated")
    ['auth-detail', 502, 'upstream_auth_failed', ['sk-simu', '0000', 'Incorrect API key', 'simulated']],
    ['403', 502, 'upstream_auth_failed', ['proj_sim0000', 'does not have access', 'simulated']],
    ['500-traceback', 502, 'upstream_error', ['Traceback', 'worker.py', 'db-7.internal', 'simulated']],
    ['503', 503, 'upstream_overloaded', ['had an error', 'simulated']],
    ['429', 429, 'upstream_rate_limited', ['Rate limit reached', 'simulated']],
  ])('%s → %i %s with a generic message', async (fault, status, code, planted) => {
    for (const path of ['/v1/chat/completions', '/api/chat']) {
      const response = await gateway.post(path, chatBody(`sim-small+fault-${fault}`));
      expect(response.status).toBe(status);
      const text = await clientView(response.clone());
      for (const secret of planted) expect(text).not.toContain(secret);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
    }
    // The detail is in the log, by trace id, with key-shaped strings redacted.
    const logged = log.text();
    expect(logged).toContain('upstream failure');
    if (fault === 'auth-detail') {
      expect(logged).toContain('Incorrect API key');
      expect(logged).not.toContain('sk-simu*********0000');
    }
  });

  it('an in-band error event after the first byte ends the stream with a generic event', async () => {
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('sim-small+fault-error-event-after-2', { stream: true }),
    );
    const text = await response.text();
    expect(text).toContain('"code":"server_error"');
    expect(text).not.toContain('gpu-17');
    expect(text).not.toContain('simulated');
    expect(text).not.toContain('[DONE]');
  });

  it('a malformed chunk does not echo the upstream bytes back', async () => {
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('sim-small+fault-malformed-after-2', { stream: true }),
    );
    const events = (await response.text()).split('\n\n').filter((block) => block.startsWith('data: '));
    const last = JSON.parse(events.at(-1)?.slice('data: '.length) ?? '{}') as {
      error?: { code: string; message: string };
    };
    expect(last.error?.code).toBe('malformed_response');
    // The broken line (`{"id":"chatcmpl-sim","choices":[{"delta":{"content":`) is not quoted back.
    expect(last.error?.message).not.toContain('chatcmpl');
    expect(last.error?.message).not.toContain('{');
  });

  it('client errors still pass through as the upstream wrote them', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small+fault-context-length'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'context_length_exceeded',
        message: expect.stringContaining("This model's maximum context length is 8192 tokens"),
      },
    });
  });

  it('the attempt span keeps the (redacted) detail for the operator', async () => {
    gateway.telemetry.reset();
    await gateway.post('/v1/chat/completions', chatBody('sim-small+fault-auth-detail'));
    const attempt = gateway.telemetry.spans().find((span) => span.name.startsWith('chat '));
    expect(attempt?.status.message).toContain('Incorrect API key');
    expect(attempt?.status.message).not.toContain('sk-simu*********0000');
  });
});
