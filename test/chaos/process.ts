import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../bench/free-port.ts';

const root = resolve(import.meta.dirname, '../..');

export interface Spawned {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code and signal once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): Promise<void>;
}

/**
 * Runs `node src/main.ts start` as its own process on a free port. With `config` (a config tree) it is
 * written to a temporary file and passed with --config; `{port}` inside strings becomes the port.
 */
export async function spawnInferwatch(
  options: {
    config?: Record<string, unknown>;
    env?: Record<string, string>;
    /** Open-file limit for the process (`ulimit -n`), for faults that exhaust descriptors. */
    fdLimit?: number;
  } = {},
): Promise<Spawned> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-chaos-'));
  const args = ['src/main.ts', 'start'];
  if (options.config) {
    const file = join(dir, 'inferwatch.yaml');
    // YAML is a superset of JSON.
    writeFileSync(file, JSON.stringify(options.config).replaceAll('{port}', String(port)));
    args.push('--config', file);
  }
  // With a limit, a shell sets it and then becomes node (exec), so the pid is still inferwatch's.
  const command = options.fdLimit
    ? ['/bin/sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command[0] as string, command[1] as string[], {
    cwd: root,
    env: {
      ...process.env,
      INFERWATCH_PORT: String(port),
      INFERWATCH_STORE_PATH: join(dir, 'inferwatch.db'),
      OPENAI_API_KEY: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (!gone && Date.now() < deadline) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((done) => setTimeout(done, 100));
  }
  if (gone || Date.now() >= deadline) throw new Error(`inferwatch did not start:\n${output}`);
  return {
    url,
    port,
    child,
    output: () => output,
    exited,
    async cleanup() {
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The embedded default's shape as a config file: simulated primary and backup served by the process itself. */
export function simulatedConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    simulator: { enabled: true, mountPath: '/simulator' },
    providers: [
      { name: 'sim-primary', baseURL: 'http://127.0.0.1:{port}/simulator/primary/v1', healthCheck: 'models' },
      { name: 'sim-backup', baseURL: 'http://127.0.0.1:{port}/simulator/backup/v1', healthCheck: 'models' },
    ],
    routes: [{ model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
    analyzer: { notify: [] },
    ...extra,
  };
}
