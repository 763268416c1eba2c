import type { Component, RuntimeContext } from '../runtime/component.ts';

// Placeholder until the prober feature lands; keeps the runtime's seams compiling.
export function createProberComponent(_ctx: RuntimeContext): Component {
  return { name: 'prober' };
}
