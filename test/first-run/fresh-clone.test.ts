import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/free-port.ts';

// Follows the README as a new user would: a fresh clone, `npm ci` (node_modules linked from this checkout
// to save minutes; the lockfile is the same), then `npm start` with no config and no keys.
const repository = fileURLToPath(new URL('../..', import.meta.url));
const workspace = mkdtempSync(join(tmpdir(), 'inferwatch-first-run-'));
const clone = join(workspace, 'inferwatch');
let child: ChildProcess | undefined;
let output = '';
let errors = '';
let port = 0;

/** The environment of someone who has set nothing up: no provider keys, no inferwatch settings. */
function newUserEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(INFERWATCH_|OPENAI_|OLLAMA_|OTEL_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, INFERWATCH_PORT: String(port), NO_COLOR: '1' };
}

/** What inferwatch printed for people (stderr): the banner, then any console notifications. */
const ownLines = () => errors.split('\n').filter((line) => line.trim() !== '');
/** stdout without npm's "> inferwatch@… start" preamble: the JSON log lines. */
const logLines = () => output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('>'));

beforeAll(async () => {
  execFileSync('git', ['clone', '--quiet', repository, clone]);
  symlinkSync(join(repository, 'node_modules'), join(clone, 'node_modules'), 'dir');
  port = await freePort();
  child = spawn('npm', ['start'], {
    cwd: clone,
    env: newUserEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await vi.waitFor(
    () => {
      if (child?.exitCode !== null) throw new Error(`npm start exited early:\n${output}\n${errors}`);
      if (!errors.includes('components: ')) throw new Error('not started yet');
    },
    { timeout: 30_000, interval: 100 },
  );
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(workspace, { recursive: true, force: true });
});

describe('first run from a fresh clone: npm start on embedded defaults', () => {
  it('says in its first lines what it runs, where to look and how to use real providers', () => {
    const url = `http://127.0.0.1:${port}`;
    const lines = ownLines();
    expect(lines[0]).toMatch(new RegExp(`^inferwatch \\S+ — start listening on ${url}$`));
    expect(lines[1]).toBe(`  status page: ${url}/ (live providers, breakers, failovers, probes and alerts)`);
    expect(lines[2]).toBe('  config: embedded defaults (no --config given)');
    expect(lines[3]).toMatch(/^ {2}providers: two built-in simulated providers \(sim-primary → sim-backup\)/);
    // The routes as configured, and a curl for a model that exists.
    expect(lines).toContain('  route *: sim-primary → sim-backup');
    expect(lines).toContain('  route sim-small: sim-primary → sim-backup');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}try it: curl -s .*\/v1\/chat\/completions .*"model":"sim-small"/),
      ]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}real providers: set OPENAI_API_KEY .*--config inferwatch\.yaml\.$/),
      ]),
    );
  });

  it('answers a model no provider serves with 404 model_not_found, as OpenAI does', async () => {
    const url = `http://127.0.0.1:${port}`;
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const probes = (await (await fetch(`${url}/api/probes`)).json()) as { region: string };
    expect(probes.region).toBe('local');
  });

  it('answers the status page, liveness and the model list', async () => {
    const url = `http://127.0.0.1:${port}`;
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>inferwatch status</title>');
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const models = await fetch(`${url}/v1/models`);
    expect(models.status).toBe(200);
    expect(await models.json()).toMatchObject({ object: 'list' });
  });

  it('serves the chat completion the "try it" line suggests, from the simulated primary', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-provider')).toBe('sim-primary');
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
  });
});

describe('first run from a fresh clone: logs', () => {
  it('keeps one format per stream: JSON lines on stdout, the banner and console notifications on stderr', async () => {
    const url = `http://127.0.0.1:${port}`;
    const faults = `${url}/simulator/_sim/primary/faults`;
    const json = { 'content-type': 'application/json' };
    await fetch(faults, { method: 'PUT', headers: json, body: JSON.stringify({ mode: 'outage' }) });
    try {
      for (let i = 0; i < 4; i += 1) {
        await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Hello' }] }),
        });
      }
      // The breaker opens, the internal alert source raises CircuitOpen, the console notifier prints it.
      await vi.waitFor(
        () => {
          if (!/\[WARNING\] CircuitOpen/.test(errors)) throw new Error(`no notification yet:\n${errors}`);
        },
        { timeout: 30_000, interval: 200 },
      );
    } finally {
      await fetch(faults, { method: 'DELETE' });
    }
    // Probe results are logged as they come; wait for some so the check below has lines to read.
    await vi.waitFor(
      () => {
        if (logLines().length < 2) throw new Error('no log lines yet');
      },
      { timeout: 30_000, interval: 200 },
    );
    for (const line of logLines()) expect(() => JSON.parse(line), line).not.toThrow();
    expect(output).not.toContain('CircuitOpen —');
    const human = ownLines().filter((line) => line.startsWith('{'));
    expect(human).toEqual([]);
  }, 45_000);
});

describe('first run from a fresh clone: the demo', () => {
  it('prints its URLs, serves the status page, shows the primary failing over and stops cleanly', async () => {
    const demoPort = await freePort();
    const url = `http://127.0.0.1:${demoPort}`;
    let demoOutput = '';
    const demo = spawn(
      'npm',
      [
        'run',
        'inferwatch',
        '--',
        'demo',
        '--duration-seconds',
        '8',
        '--outage-after-seconds',
        '1',
        '--outage-seconds',
        '4',
        '--port',
        String(demoPort),
      ],
      { cwd: clone, env: newUserEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
    demo.stdout?.on('data', (chunk: Buffer) => {
      demoOutput += chunk.toString();
    });
    try {
      await vi.waitFor(
        () => {
          if (!demoOutput.includes('status page:')) throw new Error(`demo not started yet:\n${demoOutput}`);
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(demoOutput).toContain(`inferwatch demo — gateway on ${url}`);
      expect(demoOutput).toContain(`status page: ${url}/`);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>inferwatch status</title>');
      await vi.waitFor(
        () => {
          if (
            !/failover: sim-primary → sim-backup|breaker sim-primary\/\S+: closed → open/.test(demoOutput)
          ) {
            throw new Error(`no failover yet:\n${demoOutput}`);
          }
        },
        { timeout: 15_000, interval: 200 },
      );
      expect(await exited).toBe(0);
      expect(demoOutput).toContain('demo stopped');
    } finally {
      if (demo.pid && demo.exitCode === null) process.kill(-demo.pid, 'SIGTERM');
    }
  }, 60_000);
});
