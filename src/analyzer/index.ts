import type { Component, RuntimeContext } from '../runtime/component.ts';

// Placeholder until the analyzer feature lands; keeps the runtime's seams compiling.
export function createAnalyzerComponent(_ctx: RuntimeContext): Component {
  return { name: 'analyzer' };
}
