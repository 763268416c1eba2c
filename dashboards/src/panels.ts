import { LegendDisplayMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned Prometheus datasource (grafana/provisioning/datasources/inferwatch.yaml). */
export const prometheus = { type: 'prometheus', uid: 'prometheus' };

export interface Query {
  expr: string;
  legend?: string;
}

/** One panel as data; render() turns the table into Foundation SDK builders. */
export interface PanelSpec {
  title: string;
  description: string;
  kind: 'timeseries' | 'stat' | 'breaker-timeline';
  queries: Query[];
  unit?: string;
  /** Grid width out of 24; height is 8. */
  width?: number;
  /** Attach trace exemplars (span-metrics and GenAI histograms carry them). */
  exemplars?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: { title: string; panels: PanelSpec[] }[];
}

/** Label selectors bound to the template variables; "All" is `.*`, which also matches a missing label. */
export const sel = {
  provider: 'inferwatch_provider_name=~"$provider"',
  model: 'gen_ai_request_model=~"$model"',
  region: 'cloud_region=~"$region"',
};

const variable = (name: string, label: string, query: string) =>
  new QueryVariableBuilder(name)
    .label(label)
    .datasource(prometheus)
    .query(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');

const breakerStates: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'half-open', color: 'yellow', index: 1 },
      '2': { text: 'open', color: 'red', index: 2 },
    },
  },
];

function target(query: Query, panel: PanelSpec, refId: string) {
  const builder = new DataqueryBuilder().datasource(prometheus).expr(query.expr).refId(refId);
  if (query.legend) builder.legendFormat(query.legend);
  if (panel.kind === 'stat') builder.instant();
  if (panel.exemplars) builder.exemplar(true);
  return builder;
}

const panelBuilders = {
  timeseries: () =>
    new TimeseriesPanel().legend(
      new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List),
    ),
  stat: () =>
    new StatPanel().thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }]),
    ),
  'breaker-timeline': () => new StateTimelinePanel().mappings(breakerStates),
} satisfies Record<PanelSpec['kind'], () => unknown>;

/** Builds the Grafana dashboard JSON model from a spec: variables, rows and panels laid out left to right. */
export function render(spec: DashboardSpec): Dashboard {
  const dashboard = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['inferwatch', 'genai'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder('inferwatch')
        .type(DashboardLinkType.Dashboards)
        .tags(['inferwatch'])
        .asDropdown(true),
    )
    .withVariable(
      variable(
        'provider',
        'Provider',
        'label_values(inferwatch_gateway_attempts_total, inferwatch_provider_name)',
      ),
    )
    .withVariable(
      variable('model', 'Model', 'label_values(inferwatch_gateway_attempts_total, gen_ai_request_model)'),
    )
    .withVariable(variable('region', 'Region', 'label_values(inferwatch_build_info, cloud_region)'));
  let y = 0;
  for (const row of spec.rows) {
    dashboard.withRow(new RowBuilder(row.title).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    let x = 0;
    for (const panel of row.panels) {
      const width = panel.width ?? 12;
      if (x + width > 24) {
        x = 0;
        y += 8;
      }
      const builder = panelBuilders[panel.kind]()
        .title(panel.title)
        .description(panel.description)
        .datasource(prometheus)
        .gridPos({ x, y, w: width, h: 8 });
      if (panel.unit) builder.unit(panel.unit);
      panel.queries.forEach((query, index) => {
        builder.withTarget(target(query, panel, String.fromCharCode(65 + index)));
      });
      dashboard.withPanel(builder);
      x += width;
    }
    y += 8;
  }
  return dashboard.build();
}
