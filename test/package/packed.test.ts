import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { readmeBlock, readmeSource } from '../docs/readme-blocks.ts';
import { repoRoot } from '../stack/binaries.ts';
import { findOldNode } from './old-node.ts';
import { npmInstall, packInto } from './pack.ts';

// inferwatch as a user gets it from npm: `npm pack` (which builds dist/ in `prepack`), the tarball
// installed into an empty project and globally, then run from there, never from this source tree.
const workspace = mkdtempSync(join(tmpdir(), 'inferwatch-packed-'));
const project = join(workspace, 'app');
const installed = join(project, 'node_modules', 'inferwatch');
const bin = join(project, 'node_modules', '.bin', 'inferwatch');
let tarball = '';
const children: ChildProcess[] = [];

/** A long-running command in its own process group (npx starts a shell and node under it). */
function startCommand(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    output: () => output,
    waitFor: (text: string) =>
      vi.waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
          if (!output.includes(text)) throw new Error(`waiting for "${text}":\n${output}`);
        },
        { timeout: 60_000, interval: 100 },
      ),
  };
}

async function stopAll() {
  await Promise.all(
    children.map(async (child) => {
      if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }),
  );
  children.length = 0;
}

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(command, args, { cwd: project, env: { ...process.env, ...env }, encoding: 'utf8' });

beforeAll(() => {
  tarball = packInto(workspace);
  cpSync(join(repoRoot, 'examples', 'express-gateway'), project, { recursive: true });
  // README's `npm i inferwatch`, with the tarball standing in for the published version (the example's
  // own manifest names it), plus what the example and its type-check need.
  npmInstall(project, [tarball, 'express@5.3.0', '@types/express@5.0.6', '@types/node@24.19.2']);
}, 600_000);

// Three installs' worth of node_modules: removing them takes a while on a busy machine.
afterAll(async () => {
  await stopAll();
  await rm(workspace, { recursive: true, force: true });
}, 300_000);

describe('the npm package', { timeout: 120_000 }, () => {
  it('ships what runs and nothing of the development tree', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/inferwatch.js',
        'dist/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/index.js.map',
        'dist/status-page/client/index.html',
        'dist/status-page/client/app.js',
        'dashboards/overview.json',
        'alerts/rules/gateway.yml',
        'alerts/alertmanager.yml',
        'alerts/templates/inferwatch.tmpl', // alertmanager.yml's page titles
        'package.json',
        'README.md',
      ]),
    );
    const unwanted = files.filter((file) =>
      /(^src\/|^test\/|^bench\/|^eval\/|^examples\/|^scripts\/|\.test\.|alerts\/tests\/|dashboards\/src\/|testing\.)/.test(
        file,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it("README's npx block is the one these tests run", () => {
    expect(readmeBlock('npx')).toEqual(['npm i inferwatch', 'npx inferwatch --help', 'npx inferwatch start']);
  });

  it('runs `npx inferwatch --help` from the installed package', () => {
    const help = run('npx', ['--no-install', 'inferwatch', '--help']);
    expect(help).toMatch(/^inferwatch \d+\.\d+\.\d+ — /);
    expect(help).toContain('check-config');
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it('checks a config with `inferwatch check-config` from node_modules/.bin', () => {
    writeFileSync(
      join(project, 'check.yaml'),
      'providers: [{ name: up, baseURL: "http://127.0.0.1:9/v1" }]\nroutes: [{ model: "*", targets: [{ provider: up }] }]\n',
    );
    expect(run(bin, ['check-config', '--config', 'check.yaml'])).toMatch(
      /^config OK \(check\.yaml\): 1 provider\b/,
    );
    expect(() => run(bin, ['check-config', '--config', 'missing.yaml'])).toThrow(/cannot read/);
  });

  it('starts with `npx inferwatch start`, answers /health and serves the status page from its installed files', async () => {
    const port = await freePort();
    const started = startCommand('npx', ['--no-install', 'inferwatch', 'start'], {
      INFERWATCH_PORT: String(port),
      INFERWATCH_STORE_PATH: join(workspace, 'start.db'),
    });
    await started.waitFor('components: ');
    const url = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<title>inferwatch status</title>');
    expect((await fetch(`${url}/status/app.js`)).status).toBe(200);
    await stopAll();
  }, 120_000);

  it('finds the dashboards, alert rules and pipeline configs at their installed location', () => {
    const printed = run('node', [
      '--input-type=module',
      '-e',
      "const { packagePaths } = await import('inferwatch'); console.log(JSON.stringify(packagePaths));",
    ]);
    const paths = JSON.parse(printed) as Record<string, string>;
    expect(paths.root).toBe(`${installed}/`);
    expect(readdirSync(paths.dashboards as string)).toEqual(
      expect.arrayContaining(['overview.json', 'providers.json', 'probes.json', 'analyzer.json', 'slo.json']),
    );
    expect(readdirSync(paths.alertRules as string)).toContain('gateway.yml');
    for (const key of ['prometheusConfig', 'alertmanagerConfig', 'collectorConfig', 'exampleConfig']) {
      expect(existsSync(paths[key] as string), key).toBe(true);
    }
    // Also reachable by package path, for bundlers and `import.meta.resolve`.
    const resolved = run('node', [
      '--input-type=module',
      '-e',
      "console.log(import.meta.resolve('inferwatch/dashboards/overview.json'))",
    ]).trim();
    expect(resolved).toBe(`file://${installed}/dashboards/overview.json`);
  });

  it("README's global block: `npm i -g`, then `inferwatch check-config` and `inferwatch start`", async () => {
    expect(readmeBlock('npm-global')).toEqual([
      'npm i -g inferwatch',
      'inferwatch check-config',
      'inferwatch start',
    ]);
    const prefix = join(workspace, 'global');
    mkdirSync(prefix);
    npmInstall(workspace, [tarball], ['--global', '--prefix', prefix]);
    const inferwatch = join(prefix, 'bin', 'inferwatch');
    expect(run(inferwatch, ['check-config'])).toMatch(/^config OK \(embedded defaults\)/);
    const port = await freePort();
    const started = startCommand(inferwatch, ['start'], {
      INFERWATCH_PORT: String(port),
      INFERWATCH_STORE_PATH: join(workspace, 'global.db'),
    });
    await started.waitFor('components: ');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await stopAll();
  }, 300_000);

  it("installs as the Docker image does: the tarball's files, the lockfile, `npm ci --omit=dev`", () => {
    const image = join(workspace, 'image');
    mkdirSync(image);
    execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', image]);
    copyFileSync(join(repoRoot, 'package-lock.json'), join(image, 'package-lock.json'));
    execFileSync(
      'npm',
      [
        'ci',
        '--omit=dev',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      { cwd: image, stdio: 'pipe', timeout: 300_000 },
    );
    expect(existsSync(join(image, 'node_modules', 'express'))).toBe(true);
    expect(existsSync(join(image, 'node_modules', 'typescript'))).toBe(false);
    expect(
      execFileSync(process.execPath, [join(image, 'bin', 'inferwatch.js'), '--version'], {
        encoding: 'utf8',
      }).trim(),
    ).toMatch(/^\d+\.\d+\.\d+$/);
  }, 300_000);

  const oldNode = findOldNode();
  it.skipIf(!oldNode)(
    `says in one line what to do on an older Node (${oldNode?.version ?? 'none here'})`,
    () => {
      const result = (() => {
        try {
          execFileSync(oldNode?.path as string, [bin, '--help'], {
            cwd: project,
            encoding: 'utf8',
            stdio: 'pipe',
          });
          return { status: 0, stderr: '' };
        } catch (error) {
          return error as { status: number; stderr: string };
        }
      })();
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`inferwatch needs Node.js >= 22.18 (this is ${oldNode?.version}`);
      expect(lines[0]).toContain('npm i -g --prefix "$HOME/.node24" node@24');
    },
  );
});

describe('the Express example against the installed package', { timeout: 120_000 }, () => {
  it('type-checks server.ts against the published declarations', () => {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', project])).not.toThrow();
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
  });

  it('serves its own routes and the mounted gateway, failing over between simulated upstreams', async () => {
    const simulatorPort = await freePort();
    const simulator = startCommand(bin, ['simulate', '--port', String(simulatorPort)]);
    await simulator.waitFor('listening on');
    const port = await freePort();
    const app = startCommand(process.execPath, ['server.ts'], {
      PORT: String(port),
      SIMULATOR_URL: `http://127.0.0.1:${simulatorPort}`,
    });
    await app.waitFor('example app listening');
    const url = `http://127.0.0.1:${port}`;
    expect(app.output()).toContain('telemetry: off');

    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'from the host app' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ask = () =>
      fetch(`${url}/llm/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hello' }] }),
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-inferwatch-provider')).toBe('primary');

    await fetch(`http://127.0.0.1:${simulatorPort}/_sim/primary/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'outage' }),
    });
    const second = await ask();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-inferwatch-provider')).toBe('backup');
    expect(second.headers.get('x-inferwatch-failover')).toBe('primary,backup');

    // A path the gateway does not serve is the host's: Express's own 404, not inferwatch's JSON error.
    const unknown = await fetch(`${url}/llm/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/text\/html/);
    expect(existsSync(join(project, 'data', 'example.db'))).toBe(true);
    await stopAll();
  }, 120_000);

  it("README's library block type-checks against the installed package and serves beside the app's route", async () => {
    const port = await freePort();
    // The block as written, on a free port instead of 3000.
    writeFileSync(join(project, 'readme-embed.ts'), readmeSource('library').replaceAll('3000', String(port)));
    writeFileSync(
      join(project, 'tsconfig.readme.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['readme-embed.ts'] }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', join(project, 'tsconfig.readme.json')])).not.toThrow();

    const simulatorPort = await freePort();
    const simulator = startCommand(bin, ['simulate', '--port', String(simulatorPort)]);
    await simulator.waitFor('listening on');
    startCommand(process.execPath, ['readme-embed.ts'], {
      SIMULATOR_URL: `http://127.0.0.1:${simulatorPort}`,
    });
    const url = `http://127.0.0.1:${port}`;
    await vi.waitFor(
      async () => expect(await (await fetch(`${url}/hello`)).text()).toBe('your own routes keep working'),
      { timeout: 60_000, interval: 200 },
    );
    const models = await fetch(`${url}/llm/v1/models`);
    expect(models.status).toBe(200);
    expect(await models.json()).toMatchObject({ object: 'list' });
    await stopAll();
  }, 120_000);
});
