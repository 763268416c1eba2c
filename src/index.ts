// The library entry point (`import … from 'inferwatch'`): only re-exports, each documented with the
// semver policy in docs/library.md. Anything not listed here is internal and may change in any release.
export {
  type Config,
  ConfigError,
  type ConfigInput,
  type LoadedConfig,
  type LoadOptions,
  loadConfig,
  parseConfig,
} from './config/index.ts';
export {
  createInferwatch,
  type Inferwatch,
  type InferwatchComponent,
  type InferwatchOptions,
  packagePaths,
  type StartOptions,
} from './embed/index.ts';
export {
  createSimulator,
  type FaultMode,
  faultKinds,
  type RunningSimulator,
  type RuntimeFaults,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  type StartSimulatorOptions,
  simulatedModels,
  startSimulator,
} from './simulator/index.ts';
export { version } from './version.ts';
