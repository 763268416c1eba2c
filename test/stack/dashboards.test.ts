import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, dashboardSpecs, panelQueries } from '../../dashboards/src/index.ts';
import { render } from '../../dashboards/src/panels.ts';
import { repoRoot } from './binaries.ts';

const built = buildDashboards();

describe('dashboards as code', () => {
  it.each(Object.keys(built))(
    'committed dashboards/%s matches a fresh build (run `npm run dashboards`)',
    (file) => {
      const committed = readFileSync(resolve(repoRoot, 'dashboards', file), 'utf8');
      expect(committed).toBe(built[file]);
    },
  );

  const variableNames = (file: string) =>
    JSON.parse(built[file] as string).templating.list.map((variable: { name: string }) => variable.name);

  it.each(Object.keys(built).filter((file) => file !== 'probes.json'))(
    '%s has datasource, tempo, provider, model and region variables and only Prometheus queries through the first',
    (file) => {
      const dashboard = JSON.parse(built[file] as string);
      expect(variableNames(file)).toEqual(['datasource', 'tempo', 'provider', 'model', 'region']);
      expect(panelQueries(built[file] as string).length).toBeGreaterThan(0);
      const viaVariable = { type: 'prometheus', uid: '${datasource}' };
      for (const panel of dashboard.panels.filter((p: { type: string }) => p.type !== 'row')) {
        expect(panel.datasource).toEqual(viaVariable);
        expect(panel.targets.length).toBeGreaterThan(0);
        for (const target of panel.targets) expect(target.datasource).toEqual(viaVariable);
      }
      for (const annotation of dashboard.annotations.list) expect(annotation.datasource).toEqual(viaVariable);
    },
  );

  it('probes.json offers probe target and region, no provider or model, and every probe query follows the target', () => {
    const json = built['probes.json'] as string;
    expect(variableNames('probes.json')).toEqual(['datasource', 'tempo', 'target', 'region']);
    expect(JSON.parse(json).templating.list[2]).toMatchObject({
      type: 'query',
      query: 'label_values(probe_success, inferwatch_probe_target)',
      multi: true,
      includeAll: true,
      allValue: '.*',
    });
    // Unset variables stay literal in Grafana and match nothing: none may be referenced here.
    expect(json).not.toMatch(/\$(provider|model)\b/);
    const probeQueries = panelQueries(json).filter((query) => /\bprobe_|:probe_/.test(query.expr));
    expect(probeQueries.length).toBeGreaterThan(0);
    for (const query of probeQueries)
      expect(query.expr, query.panel).toContain('inferwatch_probe_target=~"$target"');
    expect(panelQueries(json)).toContainEqual({
      panel: 'HTTP status by target',
      expr: expect.stringMatching(
        /^max by \(inferwatch_probe_target, cloud_region\) \(probe_http_status_code\{/,
      ),
    });
  });

  it.each(Object.keys(built))(
    '%s declares an optional Tempo datasource variable: nothing queries it and the importer does not ask for it',
    (file) => {
      const json = built[file] as string;
      const tempo = JSON.parse(json).templating.list.find(
        (variable: { name: string }) => variable.name === 'tempo',
      );
      expect(tempo).toMatchObject({ type: 'datasource', query: 'tempo' });
      // No fixed current value: Grafana picks the first Tempo datasource there is, or leaves it empty.
      expect(tempo.current ?? {}).not.toHaveProperty('value');
      expect(json).not.toContain('DS_TEMPO');
      expect(json).not.toContain('${tempo}');
    },
  );

  it.each(Object.keys(built))(
    '%s imports into any Grafana: no datasource uid of ours, an input for it',
    (file) => {
      const json = built[file] as string;
      const dashboard = JSON.parse(json);
      expect(dashboard.__inputs).toEqual([
        expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
      ]);
      expect(dashboard.templating.list[0]).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
        current: { value: '${DS_PROMETHEUS}' },
      });
      // The provisioned datasource's uid appears nowhere: Grafana resolves everything through the variable.
      expect(json).not.toMatch(/"uid": "(prometheus|tempo)"/);
    },
  );

  it.each(Object.entries(dashboardSpecs))(
    '%s has unique panel ids that depend on the titles, not the order',
    (file, spec) => {
      const ids = (dashboard: { panels?: { id?: number; title?: string }[] }) =>
        (dashboard.panels ?? []).map((panel) => `${panel.title}#${panel.id}`).sort();
      const panels = JSON.parse(built[file] as string).panels as { id: number }[];
      expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
      // The same panels in another order keep their ids.
      const reordered = render({ ...spec, rows: [...spec.rows].reverse() });
      expect(ids(reordered)).toEqual(ids(render(spec)));
    },
  );

  it.each(Object.keys(built))('%s marks breaker transitions, failovers and firing alerts', (file) => {
    const names = JSON.parse(built[file] as string).annotations.list.map((a: { name: string }) => a.name);
    expect(names).toEqual(['Breaker transitions', 'Failovers', 'Alerts firing']);
  });

  it('gives every dashboard a unique uid', () => {
    const uids = Object.values(built).map((json) => JSON.parse(json).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
