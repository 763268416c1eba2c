import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');

/** The layer table in docs/architecture.md: layer → its areas (folders or files under src/) and imports. */
function readRule(): { layerOf: Map<string, string>; allowed: Map<string, Set<string>> } {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = doc.split('## Who may import whom')[1]?.split('\n## ')[0] ?? '';
  const layerOf = new Map<string, string>();
  const allowed = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const [, layer, areas, imports] = cells;
    if (!layer || !areas || !imports || layer === 'Layer' || layer.startsWith('---')) continue;
    for (const area of areas.matchAll(/`([^`]+)`/g)) layerOf.set(area[1] as string, layer);
    allowed.set(layer, new Set(imports.split(',').map((entry) => entry.trim().split(' ')[0] as string)));
  }
  return { layerOf, allowed };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// Static imports and re-exports (type-only ones too: they tie the modules as tightly), dynamic imports,
// and `import('x').Type` in type positions.
const specifier = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** src-relative path → the src-relative paths it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(specifier)].map((match) =>
      relative(src, normalize(join(dirname(file), match[1] as string))),
    );
    graph.set(relative(src, file), [...new Set(targets)]);
  }
  return graph;
}

const areaOf = (path: string) => path.split('/')[0] as string;

/** Strongly connected components with more than one member (Tarjan), each as its members. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import layering', () => {
  const { layerOf, allowed } = readRule();
  const graph = importGraph();

  it('the table in docs/architecture.md places every folder and top-level file of src/', () => {
    const areas = new Set([...graph.keys()].map(areaOf));
    expect([...areas].filter((area) => !layerOf.has(area))).toEqual([]);
  });

  it('no module imports a higher layer, another feature past its index.ts, or the CLI from below', () => {
    const offending: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const [fromArea, toArea] = [areaOf(from), areaOf(to)];
        if (fromArea === toArea) continue;
        const fromLayer = layerOf.get(fromArea) as string;
        const toLayer = layerOf.get(toArea) as string;
        const sideways = fromLayer === 'feature' && toLayer === 'feature';
        const ok = sideways ? to === `${toArea}/index.ts` : allowed.get(fromLayer)?.has(toLayer);
        if (!ok) offending.push(`${from} → ${to} (${fromLayer} → ${toLayer})`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const areas = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      const edges = areas.get(areaOf(from)) ?? [];
      edges.push(...targets.map(areaOf).filter((area) => area !== areaOf(from)));
      areas.set(areaOf(from), edges);
    }
    expect(cycles(areas)).toEqual([]);
  });
});
