export {
  createInferwatch,
  type Inferwatch,
  type InferwatchComponent,
  type InferwatchOptions,
  type StartOptions,
} from './embed.ts';
export { packagePaths } from './paths.ts';
