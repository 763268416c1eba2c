import type { Component, RuntimeContext } from '../runtime/component.ts';

// Placeholder until the status-page feature lands; keeps the runtime's seams compiling.
export function createStatusPageComponent(_ctx: RuntimeContext): Component {
  return { name: 'status-page' };
}
