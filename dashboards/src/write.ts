// npm run dashboards: regenerates dashboards/*.json from the specs in this folder.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildDashboards } from './index.ts';

for (const [file, json] of Object.entries(buildDashboards())) {
  const path = resolve(import.meta.dirname, '..', file);
  writeFileSync(path, json);
  console.log(`wrote ${path}`);
}
