import { createAnalyzerComponent } from '../analyzer/index.ts';
import { createApiComponent } from '../api/index.ts';
import type { ComponentFactory } from '../component.ts';
import { createGatewayComponent } from '../gateway/index.ts';
import { createProberComponent } from '../prober/index.ts';
import { createSimulatorComponent } from '../simulator/index.ts';
import { createStatusPageComponent } from '../status-page/index.ts';

/** Name → factory, one signature for every component. Order matters: routers mount in this order. */
export const componentFactories = {
  simulator: createSimulatorComponent,
  gateway: createGatewayComponent,
  prober: createProberComponent,
  analyzer: createAnalyzerComponent,
  api: createApiComponent,
  statusPage: createStatusPageComponent,
} satisfies Record<string, ComponentFactory>;

export type ComponentName = keyof typeof componentFactories;

/** What each CLI role runs. `start` is the embedded default: everything in one process. */
export const rolesComponents = {
  start: ['simulator', 'gateway', 'prober', 'analyzer', 'api', 'statusPage'],
  gateway: ['simulator', 'gateway', 'api', 'statusPage'],
  probe: ['prober', 'api'],
  analyzer: ['analyzer', 'api'],
} as const satisfies Record<string, readonly ComponentName[]>;

export type Role = keyof typeof rolesComponents;
