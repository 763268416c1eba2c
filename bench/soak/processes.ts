import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

export interface Child {
  process: ChildProcess;
  pid: number;
  output: () => string;
  stop(): Promise<{ code: number | null; signal: string | null }>;
}

/** Spawns `node src/main.ts ...args` and waits until `readyURL` answers 2xx. */
export async function startNode(
  args: string[],
  env: Record<string, string>,
  readyURL: string,
): Promise<Child> {
  const child = spawn(process.execPath, ['src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, OPENAI_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done(exit);
    }),
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exit) throw new Error(`node ${args.join(' ')} exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`node ${args.join(' ')} not ready:\n${output}`);
    if (
      await fetch(readyURL).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    process: child,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      if (!exit) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Resident memory (MB) and open file descriptors of a process, from /proc. */
export function sampleProcess(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}
