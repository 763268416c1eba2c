// The publishing build, run by `npm pack` / `npm publish` through `prepack`: compiles src/ into dist/
// (JavaScript, declarations, source maps) and copies the status page's static files beside the module
// that serves them, so every path the code resolves from its own location holds in the installed package.
// Development never runs this: Node executes src/ directly.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assetFiles } from '../src/status-page/assets.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

const clientSource = `${root}src/status-page/client/`;
const clientTarget = `${dist}/status-page/client/`;
mkdirSync(clientTarget, { recursive: true });
for (const name of Object.keys(assetFiles)) copyFileSync(`${clientSource}${name}`, `${clientTarget}${name}`);

// Declarations keep the sources' `.ts` specifiers; consumers on a TypeScript without
// `rewriteRelativeImportExtensions` support resolve `.js` ones (each maps to the `.d.ts` beside it).
const relativeTs = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g;
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(`${dist}/${file}`, 'utf8');
  const rewritten = text.replace(relativeTs, '$1$2$3.js$2');
  if (rewritten !== text) writeFileSync(`${dist}/${file}`, rewritten);
}

for (const entry of ['main.js', 'index.js', 'index.d.ts']) {
  if (!existsSync(`${dist}/${entry}`)) throw new Error(`build did not produce dist/${entry}`);
}
console.log('built dist/ (JavaScript, declarations, source maps, status page assets)');
