import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from '../../scripts/docs-config.ts';
import { prometheusName, renderMetricsDoc } from '../../scripts/docs-metrics.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('generated reference docs', () => {
  it.each([
    ['docs/configuration.md', renderConfigDoc],
    ['docs/metrics.md', renderMetricsDoc],
  ])('%s matches its source (run `npm run docs` when this fails)', (path, render) => {
    expect(read(path) === render(), `${path} is stale: run \`npm run docs\` and commit the result`).toBe(
      true,
    );
  });

  it('documents every config section and the status page keys', () => {
    const doc = renderConfigDoc();
    for (const key of [
      'server.port',
      'providers[].baseURL',
      'routes[].targets[].provider',
      'statusPage.tracesURL',
    ]) {
      expect(doc).toContain(`| \`${key}\` |`);
    }
    expect(doc).toContain('| `INFERWATCH_PORT` | `server.port` |');
  });

  it.each([
    [
      { name: 'gen_ai.client.operation.duration', unit: 's', kind: 'histogram' },
      'gen_ai_client_operation_duration_seconds',
    ],
    [
      { name: 'inferwatch.gateway.failovers', unit: '{failover}', kind: 'counter' },
      'inferwatch_gateway_failovers_total',
    ],
    [
      { name: 'probe_model_output_tokens', unit: '{token}/s', kind: 'gauge' },
      'probe_model_output_tokens_per_second',
    ],
    [{ name: 'probe_success', unit: '', kind: 'gauge' }, 'probe_success'],
    [{ name: 'probe_runs', unit: '{probe}', kind: 'counter' }, 'probe_runs_total'],
    [{ name: 'cache.hit', unit: '1', kind: 'gauge' }, 'cache_hit_ratio'],
    [{ name: 'some.ratio', unit: '1', kind: 'gauge' }, 'some_ratio'],
    [
      { name: 'inferwatch.analyzer.outbox.pending', unit: '{notification}', kind: 'updown' },
      'inferwatch_analyzer_outbox_pending',
    ],
  ] as const)('translates %o to the Prometheus name %s', (definition, expected) => {
    expect(prometheusName({ ...definition, description: '', attributes: [] })).toBe(expected);
  });
});
