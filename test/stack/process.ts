import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface StartedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** The last `lines` lines of the process's combined stdout and stderr. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

// Belt and braces: whatever a crashed test leaves behind dies with the test process.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Spawns a long-running binary with its output in a log file. */
export function startProcess(options: StartProcessOptions): StartedProcess {
  const log = createWriteStream(options.logFile);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      log.end();
      resolve();
    });
    child.once('error', (error) => {
      log.write(`spawn failed: ${error.message}\n`);
      running.delete(child);
      resolve();
    });
  });
  return {
    name: options.name,
    child,
    logFile: options.logFile,
    tail(lines = 30) {
      try {
        return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** True while the process has not exited. */
export const isRunning = (started: StartedProcess) =>
  started.child.exitCode === null && started.child.signalCode === null;
