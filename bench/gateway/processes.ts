import { type ChildProcess, spawn } from 'node:child_process';

export interface Started {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns a server process and resolves once `readyURL` answers (any status below 500). */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  {
    url,
    readyURL = url,
    env = {},
    timeoutMs = 60_000,
  }: { url: string; readyURL?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(readyURL, { signal: AbortSignal.timeout(1_000) });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * Runs a benchmark's main, reports a failure through the exit code, and always stops the processes it
 * started (last first), so no server outlives the run.
 */
export function runThenStop(main: () => Promise<unknown>, started: Started[]): void {
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      for (const child of started.reverse()) await child.stop();
    });
}
