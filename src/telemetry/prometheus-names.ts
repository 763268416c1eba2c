import type { InstrumentDefinition } from './instruments.ts';

/** Unit → the suffix the Prometheus translation appends (otlptranslator's unit map, the common entries). */
const unitSuffixes: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
  '%': 'percent',
};

/**
 * The series name after the Collector's default `UnderscoreEscapingWithSuffixes` translation: invalid
 * characters → `_`, a unit suffix (units in braces add none, `x/y` adds `_per_y`), `_ratio` for gauges with
 * unit `1`, `_total` for monotonic counters. Histograms add `_bucket`, `_sum` and `_count` to this. The
 * scrape endpoint uses the same names, so rules and dashboards read either path alike.
 */
export function prometheusName({ name, unit, kind }: InstrumentDefinition): string {
  const tokens = name.split(/[^a-zA-Z0-9:]+/).filter(Boolean);
  const add = (token: string) => {
    if (!tokens.includes(token)) tokens.push(token);
  };
  // `ratio` and `total` are moved to the end rather than repeated, as the translator does.
  const moveToEnd = (token: string) => {
    const kept = tokens.filter((existing) => existing !== token);
    tokens.splice(0, tokens.length, ...kept, token);
  };
  const [main = '', per] = unit.split('/');
  if (main && !main.startsWith('{') && main !== '1') add(unitSuffixes[main] ?? main);
  if (per) tokens.push('per', unitSuffixes[per] === 'seconds' ? 'second' : (unitSuffixes[per] ?? per));
  if (kind === 'gauge' && unit === '1') moveToEnd('ratio');
  if (kind === 'counter') moveToEnd('total');
  return tokens.join('_');
}
