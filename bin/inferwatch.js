#!/usr/bin/env node
// The `inferwatch` command. Plain JavaScript without static imports or top-level await, so that on a
// Node too old to run inferwatch this file still parses and says so in one line instead of failing
// inside a dependency. Installed from npm it runs the compiled dist/; in a git checkout (src/ is there,
// and is never shipped) it runs the TypeScript sources, which Node >= 22.18 does without a build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `inferwatch needs Node.js >= 22.18 (this is v${process.versions.node} at ${process.execPath}); install Node 24 from https://nodejs.org or with: npm i -g --prefix "$HOME/.node24" node@24 && export PATH="$HOME/.node24/bin:$PATH"`,
  );
  process.exit(1);
}

const { existsSync } = process.getBuiltinModule('node:fs');
const source = new URL('../src/main.ts', import.meta.url);
import(existsSync(source) ? source.href : new URL('../dist/main.js', import.meta.url).href);
