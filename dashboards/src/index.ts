import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { analyzer } from './analyzer.ts';
import { overview } from './overview.ts';
import { type DashboardSpec, prometheusInput, render } from './panels.ts';
import { probes } from './probes.ts';
import { providers } from './providers.ts';
import { slo } from './slo.ts';

/** File name (in dashboards/) → dashboard spec. */
export const dashboardSpecs = {
  'overview.json': overview,
  'providers.json': providers,
  'probes.json': probes,
  'analyzer.json': analyzer,
  'slo.json': slo,
} satisfies Record<string, DashboardSpec>;

/**
 * What Grafana's importer asks for (Dashboards → Import): the Prometheus datasource, substituted for
 * `${DS_PROMETHEUS}`, which is the `datasource` variable's default. Provisioning ignores it.
 */
const inputs = [
  {
    name: prometheusInput,
    label: 'Prometheus',
    description:
      'The Prometheus that receives inferwatch metrics (remote write from the Collector, or a scrape)',
    type: 'datasource',
    pluginId: 'prometheus',
    pluginName: 'Prometheus',
  },
];

/** The JSON text Grafana provisions, exactly as committed (stable key order, trailing newline). */
export const dashboardJson = (dashboard: Dashboard) =>
  `${JSON.stringify({ __inputs: inputs, ...dashboard }, null, 2)}\n`;

export function buildDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(dashboardSpecs).map(([file, spec]) => [file, dashboardJson(render(spec))]),
  );
}

interface PanelJson {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
}

/** Every PromQL expression of every panel of a built dashboard, for tests that run them. */
export function panelQueries(json: string): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(json) as { panels?: PanelJson[] };
  return (dashboard.panels ?? []).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => target.expr)
      .map((target) => ({ panel: panel.title ?? '', expr: target.expr as string })),
  );
}
