import type { Component, RuntimeContext } from '../runtime/component.ts';

// Placeholder until the simulator feature lands; keeps the runtime's seams compiling.
export function createSimulatorComponent(_ctx: RuntimeContext): Component {
  return { name: 'simulator' };
}
