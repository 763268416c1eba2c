export { type ApiKey, derivedKeyName } from './api-keys-schema.ts';
export { configuredModels, exampleModel } from './configured-models.ts';
export { embeddedDefaults } from './defaults.ts';
export { embeddedEnvKeys } from './embedded-env.ts';
export { envOverrides } from './env.ts';
export { ConfigError, type LoadedConfig, type LoadOptions, loadConfig, parseConfig } from './load.ts';
export { type ModelMappings, modelMappings, upstreamModel } from './model-mapping.ts';
export { type Config, type ConfigInput, configSchema } from './schema.ts';
