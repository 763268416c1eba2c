import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../stack/binaries.ts';
import { isRunning, type StartedProcess, startProcess } from '../stack/process.ts';
import { waitForHttp } from '../stack/wait.ts';

export interface InferwatchProcess {
  url: string;
  process: StartedProcess;
  stop(): Promise<void>;
}

/**
 * `node src/main.ts <role> --config <file>` in a child process, so the real OpenTelemetry SDK starts
 * (it is global per process) and exports OTLP to the Collector like a deployment would.
 */
export async function startInferwatch(options: {
  name: string;
  role: 'start' | 'gateway' | 'probe' | 'analyzer';
  port: number;
  config: Record<string, unknown>;
  dir: string;
}): Promise<InferwatchProcess> {
  const file = join(options.dir, `${options.name}.yaml`);
  writeFileSync(file, stringify(options.config));
  const env: Record<string, string> = { INFERWATCH_PORT: String(options.port) };
  const started = startProcess({
    name: options.name,
    command: process.execPath,
    args: ['src/main.ts', options.role, '--config', file],
    cwd: repoRoot,
    // Real-provider keys of the developer's shell must not leak into the test's routing.
    env: { ...env, OPENAI_API_KEY: '', OLLAMA_BASE_URL: '' },
    logFile: join(options.dir, `${options.name}.log`),
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHttp(`${url}/health`, { alive: () => isRunning(started), timeoutMs: 30_000 });
  } catch (error) {
    await started.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${started.tail()}`);
  }
  return { url, process: started, stop: () => started.stop(10_000) };
}
