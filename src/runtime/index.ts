export type { Component, ComponentFactory, RuntimeContext } from '../component.ts';
export { type ComponentName, componentFactories, type Role, rolesComponents } from './roles.ts';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
