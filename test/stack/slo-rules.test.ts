import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSpec } from '../../scripts/slo/spec.ts';
import { renderSloFiles } from '../../scripts/slo-rules.ts';
import { repoRoot } from './binaries.ts';

const spec = loadSpec();
const files = renderSloFiles(spec);

describe('SLO rules generated from alerts/slo/slos.yaml', () => {
  it.each(Object.keys(files))('%s is up to date (run `npm run slo` when this fails)', (path) => {
    const committed = readFileSync(resolve(repoRoot, path), 'utf8');
    expect(committed === files[path], `${path} is stale: run \`npm run slo\` and commit the result`).toBe(
      true,
    );
  });

  it('states each objective once: the alerts carry thresholds derived from it, nothing hand-copied', () => {
    const alerts = parse(files['alerts/rules/slo-alerts.yml'] as string).groups[0].rules as {
      alert: string;
      expr: string;
    }[];
    for (const slo of spec.slos) {
      const budget = Number((1 - slo.objective).toPrecision(10));
      const fast = alerts.find((rule) => rule.alert === `${slo.alert}BurnFast`);
      for (const { factor } of spec.burnRates.page.windows)
        expect(fast?.expr).toContain(`(${factor} * ${budget})`);
    }
  });

  it('has an availability and a latency SLO on what clients see, beside the per-provider ones', () => {
    const names = spec.slos.map((slo) => `${slo.level}/${slo.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'provider_model/availability',
        'provider_model/latency',
        'model/client_availability',
        'model/client_latency',
      ]),
    );
    const recording = files['alerts/rules/slo-recording.yml'] as string;
    expect(recording).toContain('inferwatch_gateway_requests_total');
    expect(recording).toContain('inferwatch_gateway_request_duration_seconds_bucket');
    expect(recording).toContain(`:remaining${spec.period}`);
  });

  it('rejects a spec with a mistake and names where it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-slo-'));
    try {
      const path = join(dir, 'slos.yaml');
      const text = readFileSync(resolve(repoRoot, 'alerts/slo/slos.yaml'), 'utf8');
      writeFileSync(path, text.replace('objective: 0.995', 'objective: 1.5'));
      expect(() => loadSpec(path)).toThrow(/slos\.0\.objective/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
