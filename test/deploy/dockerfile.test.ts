import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/binaries.ts';

// Docker does not run on our machines, so the image has never been built here. These tests hold the
// Dockerfile to the shape that makes it build from the packed npm tarball; test/package/packed.test.ts
// runs the same steps (npm pack, the tarball's files plus the lockfile, `npm ci --omit=dev`) natively.
const dockerfile = readFileSync(resolve(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(resolve(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = dockerfile.split(/^FROM /m).slice(1);
const manifest = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { files: string[] };

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 slim: pack, production dependencies, runtime', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(3);
    expect(stages[0]).toMatch(/^\$\{NODE_IMAGE\} AS pack\n/);
    expect(stages[0]).toMatch(/RUN npm pack --pack-destination \/pkg/);
    expect(stages[1]).toMatch(/^\$\{NODE_IMAGE\} AS deps\n/);
    expect(stages[1]).toMatch(/COPY --from=pack \/app \.\//);
    expect(stages[1]).toMatch(/npm ci --omit=dev --ignore-scripts/);
  });

  it('puts only the installed package into the runtime image, as non-root with a health check', () => {
    const runtime = stages[2] ?? '';
    const copies = [...runtime.matchAll(/^COPY (.*)$/gm)].map((match) => match[1]);
    expect(copies).toEqual(['--from=deps /app ./']);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/inferwatch\.js"\]$/m);
  });

  it('gives the pack stage every file the package ships, none of them excluded from the build context', () => {
    const copied = [...(stages[0] ?? '').matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      (match[1] as string).split(' '),
    );
    for (const source of copied) {
      expect(existsSync(resolve(repoRoot, source)), source).toBe(true);
      expect(dockerignore, source).not.toContain(source);
    }
    for (const entry of manifest.files) {
      const top = entry.replace(/\/$/, '').split('/')[0] as string;
      // dist/ is what the pack stage builds.
      if (top === 'dist') continue;
      expect(
        copied.some((source) => source === top || entry.startsWith(`${source.replace(/\/$/, '')}`)),
        entry,
      ).toBe(true);
    }
  });
});
