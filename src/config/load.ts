import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { embeddedDefaults } from './defaults.ts';
import { embeddedEnvOrigins } from './embedded-env.ts';
import { applyEnvOverrides } from './env.ts';
import { interpolate, shieldReferences } from './interpolate.ts';
import { type Config, configSchema } from './schema.ts';
import { crossCheck } from './validate.ts';

/** Thrown when the config cannot be used; `problems` lists every issue as `path: reason`. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid config (${source}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Path to a YAML file; without one the embedded defaults are used. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: Config;
  source: string;
  /** True when no file was given and the embedded defaults (simulator or env-detected providers) apply. */
  embedded: boolean;
}

export function loadConfig({ file, env = process.env }: LoadOptions = {}): LoadedConfig {
  if (!file) {
    const tree = applyEnvOverrides(embeddedDefaults(env), env);
    const config = parseConfig(tree, 'embedded defaults', new Map(), embeddedEnvOrigins(env));
    return { config, source: 'embedded defaults', embedded: true };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`(file): cannot read: ${(error as Error).message}`]);
  }
  const shielded = shieldReferences(text);
  let tree: unknown;
  try {
    tree = parseYaml(shielded.text) ?? {};
  } catch (error) {
    throw new ConfigError(file, [`(yaml): ${(error as Error).message.split('\n')[0]}`]);
  }
  const { value, unset } = interpolate(tree, env, shielded.restore);
  return { config: parseConfig(applyEnvOverrides(value, env), file, unset), source: file, embedded: false };
}

/**
 * Validates an already-parsed tree; exported so tests and embedded defaults share one path. `unset` and
 * `origins` map key paths to the variable behind them, so a message can name it.
 */
export function parseConfig(
  input: unknown,
  source = 'config',
  unset = new Map<string, string>(),
  origins = new Map<string, string>(),
): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues, unset, origins));
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

function describeIssues(
  issues: z.core.$ZodIssue[],
  unset: Map<string, string>,
  origins: Map<string, string>,
): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    const variable = unset.get(path);
    const origin = origins.get(path);
    const hint = variable
      ? ` (it came from \${${variable}}, which is not set)`
      : origin
        ? ` (set by the environment variable ${origin})`
        : '';
    return `${path}: ${issue.message}${hint}`;
  });
}
