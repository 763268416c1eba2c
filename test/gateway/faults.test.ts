import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  primaryThenBackup,
  sseData,
  startGateway,
} from './harness.ts';

let primary: SimulatedUpstream;
let backup: SimulatedUpstream;
let gateway: GatewayUnderTest;

// Every fault lives on the primary's model name; the backup is healthy. A high breaker threshold keeps
// each case independent of the others.
beforeAll(async () => {
  primary = await startSimulatedUpstream();
  backup = await startSimulatedUpstream();
  const faults = [
    '429',
    '429-retry-after-0',
    '500',
    '503',
    'reset',
    'silence',
    'slow-first-token-1000',
    'malformed-after-0',
    'auth',
    'context-length',
    'content-filter',
    'cut-after-headers',
    'cut-after-0',
    'stall-after-0',
    'empty',
    'empty-choices',
    'empty-length',
    'tool-call',
  ];
  gateway = await startGateway({
    providers: [fastProvider('primary', primary.baseURL), fastProvider('backup', backup.baseURL)],
    routes: [
      ...faults.map((fault) => ({
        model: fault,
        targets: [
          { provider: 'primary', model: `sim-small+fault-${fault}` },
          { provider: 'backup', model: 'sim-small' },
        ],
      })),
      { model: 'only-empty', targets: [{ provider: 'primary', model: 'sim-small+fault-empty' }] },
      {
        model: 'same-model',
        targets: [
          { provider: 'primary', model: 'sim-small+fault-context-length' },
          { provider: 'backup', model: 'sim-small+fault-context-length' },
        ],
      },
    ],
    retry: fastRetry,
    circuitBreaker: { failureThreshold: 1000, minimumRequests: 1000 },
  });
});
afterAll(async () => {
  await gateway.stop();
  await Promise.all([primary.close(), backup.close()]);
});

describe.each([false, true])('fault classes (stream %s)', (stream) => {
  it.each([
    // fault, why it fails over
    ['429', 'rate_limited'],
    ['429-retry-after-0', 'rate_limited'],
    ['500', 'server_error'],
    ['503', 'model_overloaded'],
    ['reset', 'connection_reset'],
    ['silence', 'timeout_first_token'],
    ['slow-first-token-1000', 'timeout_first_token'],
    ['malformed-after-0', 'malformed_response'],
    ['auth', 'auth'],
    ['context-length', 'context_length'],
    ['empty', 'empty_response'],
    ['empty-choices', 'empty_response'],
  ])('fails over from %s (%s) to the backup before the first byte', async (fault, reason) => {
    // Failover events are coalesced per pair and reason (one a second with a count): count them.
    const published = () =>
      gateway.events.reduce(
        (total, event) =>
          event.type === 'failover' && event.reason === reason ? total + event.count : total,
        0,
      );
    const before = published();
    const response = await gateway.post('/v1/chat/completions', chatBody(fault, { stream }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-provider')).toBe('backup');
    expect(response.headers.get('x-inferwatch-failover')).toBe('primary,backup');
    if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
    else expect(((await response.json()) as { model: string }).model).toBe('sim-small');
    // A held event waits for its window (a second) to end.
    await expect.poll(published, { timeout: 3_000 }).toBe(before + 1);
    const failover = gateway.events.findLast((event) => event.type === 'failover' && event.reason === reason);
    expect(failover).toMatchObject({ from: 'primary', to: 'backup', reason, chain: ['primary', 'backup'] });
  });
});

describe('stream faults before the first chunk', () => {
  // Headers and nothing else; the role chunk and then a cut; the role chunk and then silence.
  it.each([['cut-after-headers'], ['cut-after-0'], ['stall-after-0']])(
    '%s fails over transparently to the backup',
    async (fault) => {
      const response = await gateway.post('/v1/chat/completions', chatBody(fault, { stream: true }));
      expect(response.headers.get('x-inferwatch-provider')).toBe('backup');
      expect(response.headers.get('x-inferwatch-failover')).toBe('primary,backup');
      expect((await sseData(response)).at(-1)).toBe('[DONE]');
    },
  );
});

describe('empty answers', () => {
  const reply = async (response: Response, stream: boolean) => {
    if (stream) return (await sseData(response)).slice(0, -1).map((data) => JSON.parse(data));
    return [await response.json()];
  };

  it.each([[false], [true]])(
    'an answer without text but with a reason (max_tokens, a tool call) is served, not failed over (stream %s)',
    async (stream) => {
      for (const fault of ['empty-length', 'tool-call']) {
        const response = await gateway.post('/v1/chat/completions', chatBody(fault, { stream }));
        expect(response.status).toBe(200);
        expect(response.headers.get('x-inferwatch-failover')).toBe('primary');
        const answer = JSON.stringify(await reply(response, stream));
        expect(answer).toContain(fault === 'tool-call' ? '"tool_calls"' : '"finish_reason":"length"');
      }
    },
  );

  it.each([[false], [true]])(
    'when no target gives more than an empty answer the client gets a 502 naming it (stream %s)',
    async (stream) => {
      const response = await gateway.post('/v1/chat/completions', chatBody('only-empty', { stream }));
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: { code: 'upstream_empty_response' } });
    },
  );

  it.each([[false], [true]])(
    'with retry.failoverOnEmpty off, the empty answer is the answer (stream %s)',
    async (stream) => {
      const lenient = await startGateway({
        ...primaryThenBackup(primary, backup, {
          model: '*',
          primaryModel: 'sim-small+fault-empty',
          backupModel: 'sim-small',
        }),
        retry: { ...fastRetry, failoverOnEmpty: false },
      });
      try {
        const response = await lenient.post('/v1/chat/completions', chatBody('any', { stream }));
        expect(response.status).toBe(200);
        expect(response.headers.get('x-inferwatch-provider')).toBe('primary');
        const last = (await reply(response, stream)).at(-1);
        expect(last).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
      } finally {
        await lenient.stop();
      }
    },
  );
});

describe('client errors go back to the client unchanged', () => {
  it.each([[false], [true]])(
    'content_filter is returned, never retried or failed over (stream %s)',
    async (stream) => {
      const before = { primary: primary.stats.requests, backup: backup.stats.requests };
      const response = await gateway.post('/v1/chat/completions', chatBody('content-filter', { stream }));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'content_filter' } });
      expect(primary.stats.requests - before.primary).toBe(1);
      expect(backup.stats.requests - before.backup).toBe(0);
    },
  );

  it('a context-length failure is never resent to the same model, even on another provider', async () => {
    const before = { primary: primary.stats.requests, backup: backup.stats.requests };
    const response = await gateway.post('/v1/chat/completions', chatBody('same-model'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'context_length_exceeded' } });
    expect(primary.stats.requests - before.primary).toBe(1);
    expect(backup.stats.requests - before.backup).toBe(0);
  });
});
