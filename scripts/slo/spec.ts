import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

// The shape of alerts/slo/slos.yaml: objectives are declared there once, and every rule, alert and
// promtool test that depends on them is generated from it (scripts/slo-rules.ts).

const duration = z.string().regex(/^\d+[mhd]$/, 'a Prometheus duration in m, h or d');
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);

const burnRate = z.strictObject({
  severity: z.enum(['critical', 'warning']),
  for: duration,
  windows: z.array(z.strictObject({ long: duration, short: duration, factor: z.number().positive() })).min(1),
});

const ratioSli = z.strictObject({
  kind: z.literal('ratio'),
  /** Names in the recorded series: level:inferwatch_slo_<slo>_<bad>:ratio_rate5m. */
  bad: labelName,
  total: labelName,
  /** Counter selectors (`metric{matchers}`): bad events, and every event that counts. */
  badSelector: z.string().min(1),
  totalSelector: z.string().min(1),
  /** A good and a bad series (`metric{labels}`) the generated promtool tests feed in. */
  examples: z.strictObject({ good: z.string().min(1), bad: z.string().min(1) }),
});
const latencySli = z.strictObject({
  kind: z.literal('latency'),
  bad: labelName,
  total: labelName,
  /** Histogram base name (without _bucket/_count) and the matchers inside its braces. */
  histogram: metricName,
  selector: z.string(),
  /** The bucket boundary that is the threshold, exactly as the `le` label spells it. */
  le: z.string().regex(/^\d+(\.\d+)?$/),
  /** Labels (`a="x",b="y"`) of the histogram series the generated promtool tests feed in. */
  examples: z.strictObject({ labels: z.string() }),
});

export const sloSchema = z.strictObject({
  name: labelName,
  alert: z.string().regex(/^[A-Z][A-Za-z]+$/),
  level: labelName,
  by: z.array(labelName).min(1),
  objective: z.number().gt(0).lt(1),
  sli: z.discriminatedUnion('kind', [ratioSli, latencySli]),
  guard: z.strictObject({ page: z.number().int().min(0), ticket: z.number().int().min(0) }),
  /** Go templates for the alerts: `{{ $labels.x }}`, `{{ $value | humanizePercentage }}`, {objective}, {le}. */
  subject: z.string().min(1),
  fast: z.string().min(1),
  slow: z.string().min(1),
});

export const specSchema = z.strictObject({
  period: duration,
  runbookBase: z.url(),
  burnRates: z.strictObject({ page: burnRate, ticket: burnRate }),
  slos: z.array(sloSchema).min(1),
});

export type SloSpec = z.infer<typeof specSchema>;
export type Slo = z.infer<typeof sloSchema>;

export const specPath = new URL('../../alerts/slo/slos.yaml', import.meta.url);

/** Reads and checks the spec; a mistake names its path in the file. */
export function loadSpec(path: URL | string = specPath): SloSpec {
  const parsed = specSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `alerts/slo/slos.yaml: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** 1 - objective without float noise: 1 - 0.995 is 0.0050000000000000044 in binary. */
export const budgetOf = (slo: Slo) => Number((1 - slo.objective).toPrecision(10));

/** "99.5%", "99%": how the annotations say the objective. */
export const objectiveText = (slo: Slo) => `${Number((slo.objective * 100).toPrecision(10))}%`;

/** Every window the rules need a ratio for, shortest first. */
export function windowsOf(spec: SloSpec): string[] {
  const all = [spec.burnRates.page, spec.burnRates.ticket].flatMap((rate) =>
    rate.windows.flatMap((w) => [w.long, w.short]),
  );
  return [...new Set(all)].sort((a, b) => seconds(a) - seconds(b));
}

export function seconds(window: string): number {
  const unit = { m: 60, h: 3600, d: 86_400 }[window.slice(-1) as 'm' | 'h' | 'd'];
  return Number(window.slice(0, -1)) * unit;
}

/** The recorded series names of one SLO. */
export function seriesOf(spec: SloSpec, slo: Slo) {
  const base = `${slo.level}:inferwatch_slo_${slo.name}`;
  return {
    ratio: (window: string) => `${base}_${slo.sli.bad}:ratio_rate${window}`,
    badRate: `${base}_${slo.sli.bad}:rate5m`,
    totalRate: `${base}_${slo.sli.total}:rate5m`,
    guard: (window: string) => `${base}_${slo.sli.total}:increase${window}`,
    budgetRemaining: `${base}_error_budget:remaining${spec.period}`,
  };
}
