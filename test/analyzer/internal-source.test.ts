import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeState } from '../../src/events/index.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { startAnalyzer } from './harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(analyzer: Record<string, unknown> = {}) {
  const receivers = await startReceivers();
  cleanups.push(receivers.close);
  const a = await startAnalyzer({
    analyzer: { notify: [{ type: 'webhook', url: `${receivers.url}/hook` }], ...analyzer },
  });
  cleanups.push(a.stop);
  return { receivers, ...a };
}

const circuit = (kind: 'circuit_open' | 'circuit_closed') => ({
  type: 'incident' as const,
  id: `${kind}-1`,
  kind,
  severity: 'warning' as const,
  title: `sim-primary/sim-small circuit ${kind}`,
  subject: 'sim-primary',
  detail: {
    provider: 'sim-primary',
    model: 'sim-small',
    from: 'closed',
    to: 'open',
    reason: 'failure_threshold',
  },
});

describe('internal alert source', () => {
  it('turns a breaker opening into an alert and its closing into a resolution', async () => {
    const { runtime, receivers } = await setup();
    runtime.context.bus.publish(circuit('circuit_open'));
    runtime.context.bus.publish(circuit('circuit_open')); // still open: no second page
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    const firing = receivers.delivered('/hook')[0]?.body as {
      alertname: string;
      kind: string;
      alerts: { labels: Record<string, string> }[];
    };
    expect(firing).toMatchObject({ alertname: 'CircuitOpen', kind: 'alert' });
    expect(firing.alerts[0]?.labels).toMatchObject({ provider: 'sim-primary', model: 'sim-small' });
    runtime.context.bus.publish(circuit('circuit_closed'));
    await expect.poll(() => receivers.delivered('/hook').length).toBe(2);
    expect(receivers.delivered('/hook')[1]?.body).toMatchObject({
      alertname: 'CircuitOpen',
      kind: 'resolved',
    });
  });

  it('turns prober state changes into ProbeTargetDown / CanaryFailing and their recovery', async () => {
    const { runtime, receivers } = await setup();
    const probe = (to: ProbeState, from: ProbeState, errorType?: string) =>
      runtime.context.bus.publish({
        type: 'incident',
        id: `probe:${to}:${from}`,
        kind: `probe_${to}`,
        severity: to === 'down' ? 'critical' : 'info',
        title: `Probe openai-chat ${to} in eu-west-1`,
        subject: 'openai-chat',
        detail: {
          target: 'openai-chat',
          kind: 'model',
          region: 'eu-west-1',
          model: 'gpt-4o-mini',
          from,
          to,
          ...(errorType ? { errorType } : {}),
        },
      });
    probe('down', 'up', 'auth');
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(receivers.delivered('/hook')[0]?.body).toMatchObject({
      alertname: 'ProbeTargetDown',
      category: 'auth_failure',
      severity: 'critical',
    });
    probe('up', 'down');
    await expect.poll(() => receivers.delivered('/hook').length).toBe(2);
    expect(receivers.delivered('/hook')[1]?.body).toMatchObject({
      alertname: 'ProbeTargetDown',
      kind: 'resolved',
    });
    probe('down', 'up', 'canary_failed');
    await expect.poll(() => receivers.delivered('/hook').length).toBe(3);
    expect(receivers.delivered('/hook')[2]?.body).toMatchObject({
      alertname: 'CanaryFailing',
      category: 'quality_regression',
    });
  });

  it('raises a failover storm after N failovers within the window', async () => {
    const { runtime, receivers } = await setup({
      internalSource: { failoverStormCount: 5, failoverStormWindowSeconds: 60 },
    });
    const failover = (i: number, reason: string, count = 1) =>
      runtime.context.bus.publish({
        type: 'failover',
        traceId: `t${i}`,
        requestedModel: 'm',
        from: 'sim-primary',
        to: 'sim-backup',
        reason,
        chain: ['sim-primary', 'sim-backup'],
        count,
      });
    // Traffic diverted by an open breaker is CircuitOpen's news, not a storm.
    for (let i = 0; i < 7; i += 1) failover(i, 'circuit_open', 3);
    expect(runtime.components.get('analyzer')?.summary?.()).toMatchObject({ queuedGroups: 0 });
    // The gateway coalesces failovers into one event a second carrying a count: 1 + 3 is four, not two.
    failover(0, 'server_error');
    failover(1, 'server_error', 3);
    expect(runtime.components.get('analyzer')?.summary?.()).toMatchObject({ queuedGroups: 0 });
    failover(2, 'server_error');
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(receivers.delivered('/hook')[0]?.body).toMatchObject({ alertname: 'FailoverStorm' });
  });

  it('stays off when alertmanagerURL is configured, so nobody is paged twice', async () => {
    const { runtime, receivers, analyses } = await setup({ alertmanagerURL: 'http://127.0.0.1:9' });
    runtime.context.bus.publish(circuit('circuit_open'));
    // The bus is synchronous: had the source been on, the group would already be queued.
    expect(runtime.components.get('analyzer')?.summary?.()).toMatchObject({
      queuedGroups: 0,
      internalSource: false,
    });
    expect(await analyses()).toHaveLength(0);
    expect(receivers.received).toHaveLength(0);
  });
});
