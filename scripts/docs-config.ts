import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema, envOverrides } from '../src/config/index.ts';

// Generates docs/configuration.md from the zod schema (the schema is the config: keys, defaults and
// descriptions live there once, so the reference cannot drift from what loads).
// Run `node scripts/docs-config.ts` (or `npm run docs`); test/docs/generated-docs.test.ts fails when stale.

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

const unbounded = Number.MAX_SAFE_INTEGER;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => `\`${text}\``;

/** A readable type for one schema node: `integer 0–65535`, `"a" \| "b"`, `URL`, `string[]`. */
function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map(describeType).join(' | ');
  if (schema.type === 'array') {
    const item = schema.items ? describeType(schema.items) : 'any';
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    return `map of string → ${describeType(schema.additionalProperties)}`;
  }
  if (schema.type === 'string') {
    if (schema.format === 'uri') return 'URL';
    return schema.pattern ? `string matching ${code(schema.pattern)}` : 'string';
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const high = schema.maximum !== undefined && schema.maximum < unbounded ? schema.maximum : undefined;
    if (schema.minimum !== undefined && high !== undefined) return `${schema.type} ${schema.minimum}–${high}`;
    if (schema.minimum !== undefined) return `${schema.type} ≥ ${schema.minimum}`;
    if (schema.exclusiveMinimum !== undefined) return `${schema.type} > ${schema.exclusiveMinimum}`;
    return high !== undefined ? `${schema.type} ≤ ${high}` : schema.type;
  }
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
}

const isObject = (schema: JsonSchema) => schema.type === 'object' && schema.properties !== undefined;

/** Every leaf key under `schema`, depth first; arrays of objects become `key[].field`. */
function walk(schema: JsonSchema, path: string, required: boolean, rows: Row[]): void {
  if (isObject(schema)) {
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      walk(child, path ? `${path}.${name}` : name, schema.required?.includes(name) ?? false, rows);
    }
    return;
  }
  const items = schema.type === 'array' ? schema.items : undefined;
  if (items && isObject(items)) {
    rows.push({
      key: path,
      type: 'list',
      default: defaultOf(schema, required),
      description: schema.description ?? '',
    });
    walk(items, `${path}[]`, false, rows);
    return;
  }
  if (items?.oneOf?.every(isObject)) {
    rows.push({
      key: path,
      type: 'list',
      default: defaultOf(schema, required),
      description: schema.description ?? '',
    });
    for (const variant of items.oneOf) {
      const tag = Object.entries(variant.properties ?? {}).find(
        ([, property]) => property.const !== undefined,
      );
      walk(variant, tag ? `${path}[] (${tag[0]}: ${String(tag[1].const)})` : `${path}[]`, false, rows);
    }
    return;
  }
  rows.push({
    key: path,
    type: describeType(schema),
    default: defaultOf(schema, required),
    description: schema.description ?? '',
  });
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (schema.default !== undefined) return code(JSON.stringify(schema.default));
  return required ? '**required**' : '';
}

/** Where each INFERWATCH_* variable lands, found by applying its setter to an empty tree. */
function envRows(): string[] {
  return Object.entries(envOverrides).map(([name, set]) => {
    const tree: Record<string, unknown> = {};
    set(tree, 'x');
    const paths: string[] = [];
    const collect = (value: unknown, path: string) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, child] of Object.entries(value)) collect(child, path ? `${path}.${key}` : key);
      } else paths.push(path);
    };
    collect(tree, '');
    return `| ${code(name)} | ${paths.map(code).join(', ')} |`;
  });
}

export function renderConfigDoc(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const sections = Object.entries(schema.properties ?? {}).map(([name, section]) => {
    const rows: Row[] = [];
    walk(section, name, schema.required?.includes(name) ?? false, rows);
    const table = rows.map(
      (row) => `| ${code(row.key)} | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`,
    );
    return [
      `## \`${name}\``,
      '',
      '| Key | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      ...table,
      '',
    ].join('\n');
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated by `node scripts/docs-config.ts` from src/config/schema.ts. Do not edit by hand. -->',
    '',
    'inferwatch reads one YAML file (`--config inferwatch.yaml`); without one it runs on embedded defaults',
    '(two simulated providers, or OpenAI when `OPENAI_API_KEY` is set). Keys are camelCase; `${VAR}` anywhere in',
    'the file is replaced by the environment variable; unknown keys are errors; `inferwatch check-config` validates',
    'a file and reports every problem as `path: reason`. Durations carry their unit in the key (`timeoutMs`).',
    '',
    ...sections,
    '## Environment overrides',
    '',
    'Applied on top of the file (or the embedded defaults) before validation.',
    '',
    '| Variable | Sets |',
    '| --- | --- |',
    ...envRows(),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
  writeFileSync(target, renderConfigDoc());
  console.log(`wrote ${target}`);
}
