import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { runCli } from '../../src/cli/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = join(root, 'src/main.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would, in a clean environment (no provider keys, no inferwatch settings). */
function cli(args: string[], { cwd = root, timeoutMs = 30_000 } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INFERWATCH_|OPENAI_|OLLAMA_|OTEL_|SLACK_|DISCORD_)/.test(name)) env[name] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd, env: { ...env, INFERWATCH_LOG_LEVEL: 'warn' }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the CLI in this process for what needs no server (help, usage errors, check-config): fast. */
async function cliHere(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts) => void out.push(`${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts) => void err.push(`${parts.join(' ')}\n`));
  const code = await runCli(args);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const commands = ['start', 'gateway', 'analyzer', 'probe', 'simulate', 'demo', 'check-config'];

describe('every subcommand explains itself', () => {
  it.each(commands)('%s --help lists each option with what it does and its default', async (command) => {
    const { code, stdout } = await cliHere([command, '--help']);
    expect(code).toBe(0);
    const options = stdout.slice(stdout.indexOf('Options:')).split('\n').slice(1).filter(Boolean);
    expect(options.length).toBeGreaterThan(0);
    for (const line of options) {
      // "  -p, --port N    port to listen on ... (default: ...)": a flag, then words that explain it.
      expect(line).toMatch(/^ {2}(-\w, | {4})--[\w-]+( [A-Z]+)? {2,}\S.{8,}/);
    }
    const withValues = options.filter((line) => / --[\w-]+ [A-Z]+ /.test(line));
    for (const line of withValues) expect(line).toMatch(/\(default: [^)]+\)$/);
  });

  it('serving commands take --port and --host', async () => {
    for (const command of ['start', 'gateway', 'analyzer', 'probe', 'demo']) {
      const { stdout } = await cliHere([command, '--help']);
      expect(stdout).toMatch(
        /-p, --port N {2,}port to listen on.*\(default: server\.port from the config, 8080\)/,
      );
      expect(stdout).toMatch(/--host ADDRESS {2,}address to bind/);
    }
  });
});

describe('a wrong command line is one clear line and exit code 2', () => {
  it.each([
    [['start', '--port', 'abc'], 'inferwatch start: --port must be an integer from 0 to 65535, got "abc"'],
    [['gateway', '--port', '65536'], 'inferwatch gateway: --port must be an integer from 0 to 65535'],
    [
      ['demo', '--duration-seconds', 'abc'],
      'inferwatch demo: --duration-seconds must be a number of 0 or more, got "abc"',
    ],
    [['simulate', '--ttft-ms=-5'], 'inferwatch simulate: --ttft-ms must be a number of 0 or more, got "-5"'],
    [['start', '--bogus'], 'inferwatch start: unknown option --bogus'],
    [['start', 'extra'], 'inferwatch start: unexpected argument "extra"'],
    [['probe', '--port'], 'inferwatch probe: --port needs a value'],
    [['nope'], 'inferwatch: unknown command "nope"'],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await cliHere(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('check-config', () => {
  it('passes the shipped example with no variables set, with correct plurals and a note per left-out notifier', async () => {
    const { code, stdout } = await cli(['check-config', 'inferwatch.example.yaml']);
    expect(code).toBe(0);
    // Eight notifiers in the file; the five whose destination variable is unset are left out, a note each.
    expect(stdout).toMatch(
      /^config OK \(inferwatch\.example\.yaml\): \d+ providers, \d+ routes, \d+ probe targets, 3 notifiers$/m,
    );
    expect(stdout).toContain('note: analyzer.notify.0 (slack) is left out: ${SLACK_WEBHOOK_URL} is not set');
  });

  it('says "1 route", not "1 routes"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-plural-'));
    try {
      const file = join(dir, 'one.yaml');
      writeFileSync(
        file,
        'providers: [{ name: p, baseURL: "http://127.0.0.1:1/v1" }]\nroutes: [{ model: "*", targets: [{ provider: p }] }]\nprober: { targets: [{ name: t, http: { url: "http://127.0.0.1:1/" } }] }\n',
      );
      const { code, stdout } = await cliHere(['check-config', file]);
      expect(code).toBe(0);
      expect(stdout).toContain(': 1 provider, 1 route, 1 probe target, 1 notifier\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a busy port is one clear line', () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    blocker = createServer(() => {});
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => blocker.close(resolve)));

  // One process per way of serving: the roles share one path (start stands for gateway and analyzer).
  it.each([['start'], ['probe'], ['demo'], ['simulate']])('%s', async (command) => {
    const { code, stderr } = await cli([command, '--port', String(port)]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(
      `inferwatch ${command}: cannot listen on 127.0.0.1:${port}: the port is already in use (another inferwatch? choose another with --port N)`,
    );
    expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
  });
});

describe('demo', () => {
  it('keeps its incidents in its own temporary store, never in ./data of the directory it runs in', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'inferwatch-demo-cwd-'));
    try {
      const port = await freePort();
      const { code, stdout } = await cli(
        ['demo', '--port', String(port), '--duration-seconds', '3', '--outage-after-seconds', '1'],
        { cwd },
      );
      expect(code).toBe(0);
      expect(stdout).toContain('knocking sim-primary out');
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 40_000);
});
