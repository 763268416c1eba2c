import { z } from 'zod';
import { configSchema } from './schema.ts';

type JsonSchemaNode = {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
};

/**
 * Every key path the schema accepts, arrays written as `[]` (`providers[].timeouts.connectMs`). Used to
 * check that inferwatch.example.yaml exercises every key and that the docs cover them.
 */
export function schemaKeyPaths(): string[] {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const paths = new Set<string>();
  const walk = (node: JsonSchemaNode | undefined, path: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const next = path ? `${path}.${key}` : key;
      paths.add(next);
      walk(child, next);
    }
    if (node.items) walk(node.items, `${path}[]`);
    for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      walk(option, path);
  };
  walk(root, '');
  return [...paths].sort();
}

/** The key paths present in a parsed YAML/JSON tree, in the same notation. Maps with free keys stop at the map. */
export function treeKeyPaths(tree: unknown, freeMaps: ReadonlySet<string>, path = ''): string[] {
  if (Array.isArray(tree)) return tree.flatMap((item) => treeKeyPaths(item, freeMaps, `${path}[]`));
  if (tree === null || typeof tree !== 'object') return [];
  return Object.entries(tree).flatMap(([key, value]) => {
    const next = path ? `${path}.${key}` : key;
    return freeMaps.has(next) ? [next] : [next, ...treeKeyPaths(value, freeMaps, next)];
  });
}
