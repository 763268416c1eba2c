import { describe, expect, it } from 'vitest';
import { instrumentDefinitions } from './instruments.ts';
import * as n from './semconv.ts';

// Namespaces of the semantic conventions we use; anything else is ours and lives under `inferwatch.`.
const standard = /^(gen_ai|error|server|http)\./;
// `*_build_info{version}` is how every Prometheus exporter states its version; dashboards expect it there.
const prometheusConvention = new Set(['version']);

describe('attribute names', () => {
  it('namespaces every attribute of ours under inferwatch.*, so none collides with a scrape or alert label', () => {
    const attributes = Object.entries(n)
      .filter(([name]) => name.startsWith('ATTR_'))
      .map(([, value]) => String(value));
    const onMetrics = Object.values(instrumentDefinitions).flatMap((definition) => [
      ...definition.attributes,
    ]);
    for (const attribute of new Set([...attributes, ...onMetrics]))
      expect(
        standard.test(attribute) ||
          attribute.startsWith('inferwatch.') ||
          prometheusConvention.has(attribute),
        attribute,
      ).toBe(true);
  });
});
