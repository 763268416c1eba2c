import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { embeddedDefaults } from './defaults.ts';
import { embeddedEnvOrigins } from './embedded-env.ts';
import { applyEnvOverrides } from './env.ts';
import { interpolate, shieldReferences } from './interpolate.ts';
import { type Config, configSchema } from './schema.ts';
import { nearestKey, unknownDroppedKeys } from './suggest.ts';
import { leaveOutUnsetApiKeys } from './unset-api-keys.ts';
import { leaveOutUnsetNotifiers } from './unset-notifiers.ts';
import { crossCheck } from './validate.ts';
import { describeYamlError } from './yaml-error.ts';

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
  /** What loading changed that the operator should know about (a notifier left out for an unset variable). */
  notes: string[];
}

export function loadConfig({ file, env = process.env }: LoadOptions = {}): LoadedConfig {
  if (!file) {
    const tree = applyEnvOverrides(embeddedDefaults(env), env);
    const config = parseConfig(tree, 'embedded defaults', new Map(), embeddedEnvOrigins(env));
    return { config, source: 'embedded defaults', embedded: true, notes: [] };
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
    throw new ConfigError(file, [describeYamlError(error, text, shielded.text)]);
  }
  const interpolated = interpolate(tree, env, shielded.restore);
  const notifiers = leaveOutUnsetNotifiers(interpolated.value, interpolated.unset);
  const { tree: kept, unset, notes } = leaveOutUnsetApiKeys(notifiers.tree, notifiers.unset);
  const config = parseConfig(applyEnvOverrides(kept, env), file, unset);
  return { config, source: file, embedded: false, notes: [...notes, ...notifiers.notes] };
}

/**
 * Validates an already-parsed tree; exported so tests and embedded defaults share one path. `unset` and
 * `origins` map key paths to the variable behind them, so a message can name it. Every problem comes in
 * one round: references between sections are checked even when the schema found other faults.
 */
export function parseConfig(
  input: unknown,
  source = 'config',
  unset = new Map<string, string>(),
  origins = new Map<string, string>(),
): Config {
  const result = configSchema.safeParse(input);
  const dropped = unknownDroppedKeys(unset);
  if (!result.success) {
    const problems = [...describeIssues(result.error.issues, unset, origins), ...dropped];
    const seen = new Set(problems.map((problem) => problem.slice(0, problem.indexOf(':'))));
    const references = crossCheckLoosely(input).filter(
      (problem) => !seen.has(problem.slice(0, problem.indexOf(':'))),
    );
    throw new ConfigError(source, [...problems, ...references]);
  }
  const problems = [...dropped, ...crossCheck(result.data)];
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

/**
 * A value that matches none of a union's forms (an API key that is neither a string nor a valid
 * `{ name, key }`) is explained by the form it came closest to: the one whose problems lie deepest.
 */
function closestForm(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const depth = (issues: z.core.$ZodIssue[]) => Math.max(...issues.map((inner) => inner.path.length));
  const closest = issue.errors.reduce((best, form) => (depth(form) > depth(best) ? form : best));
  if (depth(closest) === 0) return [issue];
  return closest.flatMap((inner) => closestForm({ ...inner, path: [...issue.path, ...inner.path] }));
}

function describeIssues(
  issues: z.core.$ZodIssue[],
  unset: Map<string, string>,
  origins: Map<string, string>,
): string[] {
  return issues.flatMap(closestForm).flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path.map(String), key].join('.');
        const suggestion = nearestKey(issue.path, key);
        return `${path}: unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      });
    }
    const path = issue.path.map(String).join('.') || '(root)';
    const variable = unset.get(path);
    const origin = origins.get(path);
    const hint = variable
      ? ` (it came from \${${variable}}, which is not set)`
      : origin
        ? ` (set by the environment variable ${origin})`
        : '';
    // zod words a missing key as "expected string, received undefined"; people call that "required".
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
    const reason = missing ? `required (a ${missing[1]}) but missing` : issue.message;
    return [`${path}: ${reason}${hint}`];
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const records = (value: unknown) => (Array.isArray(value) ? value.filter(isRecord) : []);

/**
 * The cross-section checks run on a tree the schema rejected: sections fall back to their defaults and
 * the lists the checks walk are made walkable, so a bad value elsewhere cannot hide an unknown provider.
 */
function crossCheckLoosely(input: unknown): string[] {
  const root = isRecord(input) ? input : {};
  const defaults = configSchema.parse({});
  const prober = isRecord(root.prober) ? root.prober : {};
  const sections = Object.entries(defaults).map(([key, fallback]) => {
    const given = root[key];
    return [key, isRecord(fallback) && isRecord(given) ? { ...fallback, ...given } : fallback];
  });
  const shaped = {
    ...Object.fromEntries(sections),
    providers: records(root.providers),
    routes: records(root.routes).map((route) => ({ ...route, targets: records(route.targets) })),
    prober: { ...defaults.prober, ...prober, targets: records(prober.targets) },
  };
  try {
    return crossCheck(shaped as unknown as Config);
  } catch {
    return [];
  }
}
