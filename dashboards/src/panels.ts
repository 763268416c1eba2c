import { LegendDisplayMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
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

/**
 * Every panel, query and variable reads the Prometheus datasource the `datasource` variable picks, never
 * a fixed uid, so the dashboards work in any Grafana: provisioned, the variable starts on the default
 * Prometheus datasource; imported, Grafana asks for one through `__inputs` (DS_PROMETHEUS).
 */
export const prometheus = { type: 'prometheus', uid: '${datasource}' };
export const prometheusInput = 'DS_PROMETHEUS';

const datasourceVariable = new DatasourceVariableBuilder('datasource')
  .label('Prometheus')
  .type('prometheus')
  .current({ selected: false, text: `\${${prometheusInput}}`, value: `\${${prometheusInput}}` });

/**
 * A Tempo picker for the panels users add (trace search, service graph). Nothing of ours queries it,
 * and it has no `__inputs` entry: Grafana's importer refuses to finish until every input is given a
 * datasource, so an input would make Tempo a requirement. Without one the variable starts on the first
 * Tempo datasource there is, or stays empty where there is none.
 */
const tempoVariable = new DatasourceVariableBuilder('tempo').label('Tempo').type('tempo');

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

/** The query variables a dashboard can offer; each narrows the queries through its `sel` selector. */
export const queryVariables = ['provider', 'model', 'target', 'region'] as const;
export type QueryVariable = (typeof queryVariables)[number];

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** The query variables shown, in this order; provider, model and region when not given. */
  variables?: readonly QueryVariable[];
  rows: { title: string; panels: PanelSpec[] }[];
}

/** Label selectors bound to the template variables; "All" is `.*`, which also matches a missing label. */
export const sel = {
  provider: 'inferwatch_provider_name=~"$provider"',
  model: 'gen_ai_request_model=~"$model"',
  target: 'inferwatch_probe_target=~"$target"',
  region: 'cloud_region=~"$region"',
} satisfies Record<QueryVariable, string>;

const defaultVariables: readonly QueryVariable[] = ['provider', 'model', 'region'];

const variableSources = {
  provider: {
    label: 'Provider',
    query: 'label_values(inferwatch_gateway_attempts_total, inferwatch_provider_name)',
  },
  model: { label: 'Model', query: 'label_values(inferwatch_gateway_attempts_total, gen_ai_request_model)' },
  target: { label: 'Probe target', query: 'label_values(probe_success, inferwatch_probe_target)' },
  region: { label: 'Region', query: 'label_values(inferwatch_build_info, cloud_region)' },
} satisfies Record<QueryVariable, { label: string; query: string }>;

const variable = (name: QueryVariable) =>
  new QueryVariableBuilder(name)
    .label(variableSources[name].label)
    .datasource(prometheus)
    .query(variableSources[name].query)
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

/**
 * A panel's id from its row's and its own title: links to one panel (`?viewPanel=`) keep working when panels are added or
 * moved. FNV-1a, kept well inside the integers Grafana stores.
 */
export function panelId(title: string): number {
  let hash = 0x811c9dc5;
  for (const char of title) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 999_999) + 1;
}

/**
 * Events drawn on every time series: breaker transitions, failovers after errors (breaker skips would
 * mark every request while one is open) and inferwatch alerts firing. A dashboard without a provider
 * variable shows every provider's transitions: an unset `$provider` would stay literal and match nothing.
 */
const annotations = (variables: readonly QueryVariable[]) =>
  [
    {
      name: 'Breaker transitions',
      color: 'orange',
      expr: `sum by (inferwatch_provider_name, gen_ai_request_model, inferwatch_circuit_to_state) (increase(inferwatch_gateway_circuit_transitions_total{${variables.includes('provider') ? `${sel.provider}, ` : ''}${sel.region}}[2m])) > 0`,
      title:
        'breaker {{inferwatch_provider_name}}/{{gen_ai_request_model}} → {{inferwatch_circuit_to_state}}',
    },
    {
      name: 'Failovers',
      color: 'yellow',
      expr: `sum by (inferwatch_failover_from, inferwatch_failover_to, inferwatch_reason) (increase(inferwatch_gateway_failovers_total{inferwatch_reason!~"circuit_open|circuit_half_open", ${sel.region}}[2m])) > 0`,
      title: 'failover {{inferwatch_failover_from}} → {{inferwatch_failover_to}} ({{inferwatch_reason}})',
    },
    {
      name: 'Alerts firing',
      color: 'red',
      expr: 'ALERTS{alertstate="firing", alertname=~"Inferwatch.*", alertname!="InferwatchWatchdog"}',
      title: '{{alertname}} {{severity}}',
    },
  ].map((annotation) =>
    new AnnotationQueryBuilder()
      .name(annotation.name)
      .datasource(prometheus)
      .enable(true)
      .iconColor(annotation.color)
      .expr(annotation.expr)
      .titleFormat(annotation.title)
      .step('60s'),
  );

/** Builds the Grafana dashboard JSON model from a spec: variables, rows and panels laid out left to right. */
export function render(spec: DashboardSpec): Dashboard {
  const variables = spec.variables ?? defaultVariables;
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
    .annotations(annotations(variables))
    .withVariable(datasourceVariable)
    .withVariable(tempoVariable);
  for (const name of variables) dashboard.withVariable(variable(name));
  let y = 0;
  for (const row of spec.rows) {
    dashboard.withRow(
      new RowBuilder(row.title).id(panelId(`row: ${row.title}`)).gridPos({ x: 0, y, w: 24, h: 1 }),
    );
    y += 1;
    let x = 0;
    for (const panel of row.panels) {
      const width = panel.width ?? 12;
      if (x + width > 24) {
        x = 0;
        y += 8;
      }
      const builder = panelBuilders[panel.kind]()
        .id(panelId(`${row.title}/${panel.title}`))
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
