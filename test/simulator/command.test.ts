import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('inferwatch simulate', () => {
  it('prints its base URL and the cheat-sheet, serves, and stops on SIGTERM', async () => {
    const started = spawn(
      process.execPath,
      ['src/main.ts', 'simulate', '--port', '0', '--ttft-ms', '0', '--tokens-per-second', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = started;
    let out = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await expect.poll(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], { timeout: 15_000 }).toBeDefined();
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
    // The cheat-sheet may reach the pipe in a later chunk than the listening line.
    await expect.poll(() => out).toContain('/_sim/primary/faults');
    expect(out).toContain('fault-429');
    expect(out).toContain('first token after 0 ms, 0 tokens/s');
    expect(out).toContain('/_sim/primary/faults');
    const response = await fetch(`${url}/primary/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'sim-small',
        messages: [{ role: 'user', content: 'Reply with exactly: up' }],
      }),
    });
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
        .content,
    ).toBe('up');
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it.each([
    ['--port', 'abc'],
    ['--ttft-ms', '-5'],
  ])('rejects %s %s with exit code 2', async (flag, value) => {
    const started = spawn(process.execPath, ['src/main.ts', 'simulate', flag, value], { stdio: 'pipe' });
    child = started;
    let err = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => started.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain(flag);
  });
});
