import type { Component, RuntimeContext } from '../runtime/component.ts';

// Placeholder until the gateway feature lands; keeps the runtime's seams compiling.
export function createGatewayComponent(_ctx: RuntimeContext): Component {
  return { name: 'gateway' };
}
