import { describe, expect, it } from 'vitest';
import { loadScenarios, score } from '../../eval/score.ts';

describe('rule classifier on the labelled corpus (eval/scenarios)', () => {
  const scenarios = loadScenarios();

  it('has at least 30 scenarios covering every category but none', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    const covered = new Set(scenarios.map((s) => s.expected.category));
    for (const category of [
      'provider_outage',
      'provider_quota',
      'regional_network',
      'our_side',
      'degraded_but_served',
      'auth_failure',
      'latency_regression',
      'stream_truncation',
      'gateway_overload',
      'telemetry_silent',
      'cert_expiry',
      'flapping',
    ])
      expect(covered).toContain(category);
  });

  // The floor is the score measured when this test was written (45/48; the misses are documented in
  // docs/analyzer.md); a rule change that loses ground fails CI.
  it('keeps category and severity accuracy at or above the measured floor', async () => {
    const result = await score(scenarios);
    expect(result.categoryAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(result.severityAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
