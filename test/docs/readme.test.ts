import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prometheusName } from '../../scripts/docs-metrics.ts';
import { embeddedEnvKeys, envOverrides } from '../../src/config/index.ts';
import { configSchema } from '../../src/config/schema.ts';
import { failureTypes } from '../../src/providers/failure.ts';
import type { InstrumentDefinition } from '../../src/telemetry/index.ts';
import { instrumentDefinitions } from '../../src/telemetry/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('names every metric by its Prometheus series', () => {
    const missing = Object.values(instrumentDefinitions as Record<string, InstrumentDefinition>)
      .map(prometheusName)
      .filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('has a row for every config section and lists every environment override', () => {
    for (const section of Object.keys(configSchema.shape)) expect(readme).toContain(`| \`${section}`);
    for (const variable of Object.keys(envOverrides)) expect(readme).toContain(variable);
  });

  it('maps every Sentinel-Ops environment variable the embedded default reads to its config key', () => {
    for (const [variable, { path }] of Object.entries(embeddedEnvKeys))
      expect(readme).toMatch(new RegExp(`\\| \`${variable}\` \\| \`${path.join('\\.')}\``));
    for (const variable of ['OPENAI_API_KEY', 'OPENAI_MODEL', 'OLLAMA_BASE_URL', 'OLLAMA_MODEL'])
      expect(readme).toContain(`| \`${variable}\` |`);
  });

  it('lists the whole closed set of error classes', () => {
    for (const type of failureTypes) expect(readme).toContain(`\`${type}\``);
  });

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('bash scripts/setup.sh && npm test');
  });
});
