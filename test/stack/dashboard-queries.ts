import { buildDashboards, panelQueries } from '../../dashboards/src/index.ts';

/** Grafana's variables as the tests substitute them: "All" for the template variables, 1m windows. */
const variables: Record<string, string> = {
  $__rate_interval: '1m',
  $__interval: '15s',
  $__range: '5m',
  $provider: '.*',
  $model: '.*',
  $target: '.*',
  $region: '.*',
};

export const expandVariables = (expr: string) =>
  expr.replace(
    /\$__rate_interval|\$__interval|\$__range|\$provider|\$model|\$target|\$region/g,
    (name) => variables[name] ?? name,
  );

/** Every panel query of every dashboard, ready to send to Prometheus. */
export const dashboardQueries = () =>
  Object.entries(buildDashboards()).flatMap(([file, json]) =>
    panelQueries(json).map((query) => ({ file, panel: query.panel, expr: expandVariables(query.expr) })),
  );

/** Every annotation query of every dashboard (events: they may rightly return nothing). */
export const dashboardAnnotations = () =>
  Object.entries(buildDashboards()).flatMap(([file, json]) =>
    (JSON.parse(json).annotations.list as { name: string; expr?: string }[])
      .filter((annotation) => annotation.expr)
      .map((annotation) => ({ file, name: annotation.name, expr: expandVariables(annotation.expr ?? '') })),
  );

/** The query variables of every dashboard, as `label_values(metric, label)` pairs. */
export const dashboardVariables = () => {
  const seen = new Map<string, { name: string; metric: string; label: string }>();
  for (const json of Object.values(buildDashboards())) {
    const list = JSON.parse(json).templating.list as { name: string; type: string; query: string }[];
    // The datasource picker is no query.
    for (const variable of list.filter((entry) => entry.type !== 'datasource')) {
      const match = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query);
      if (!match) throw new Error(`variable ${variable.name}: unexpected query ${variable.query}`);
      seen.set(variable.query, {
        name: variable.name,
        metric: match[1] as string,
        label: match[2] as string,
      });
    }
  }
  return [...seen.values()];
};
