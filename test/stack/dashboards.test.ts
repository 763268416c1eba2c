import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, panelQueries } from '../../dashboards/src/index.ts';
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

  it.each(Object.keys(built))(
    '%s has provider, model and region variables and only Prometheus queries',
    (file) => {
      const dashboard = JSON.parse(built[file] as string);
      expect(dashboard.templating.list.map((variable: { name: string }) => variable.name)).toEqual([
        'provider',
        'model',
        'region',
      ]);
      expect(panelQueries(built[file] as string).length).toBeGreaterThan(0);
      for (const panel of dashboard.panels.filter((p: { type: string }) => p.type !== 'row')) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
        expect(panel.targets.length).toBeGreaterThan(0);
      }
    },
  );

  it('gives every dashboard a unique uid', () => {
    const uids = Object.values(built).map((json) => JSON.parse(json).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
