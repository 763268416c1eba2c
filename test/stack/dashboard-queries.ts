import { buildDashboards, panelQueries } from '../../dashboards/src/index.ts';

/** Grafana's variables as the tests substitute them: "All" for the template variables, 1m windows. */
const variables: Record<string, string> = {
  $__rate_interval: '1m',
  $__interval: '15s',
  $__range: '5m',
  $provider: '.*',
  $model: '.*',
  $region: '.*',
};

export const expandVariables = (expr: string) =>
  expr.replace(
    /\$__rate_interval|\$__interval|\$__range|\$provider|\$model|\$region/g,
    (name) => variables[name] ?? name,
  );

/** Every panel query of every dashboard, ready to send to Prometheus. */
export const dashboardQueries = () =>
  Object.entries(buildDashboards()).flatMap(([file, json]) =>
    panelQueries(json).map((query) => ({ file, panel: query.panel, expr: expandVariables(query.expr) })),
  );
