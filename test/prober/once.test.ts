import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';

const exec = promisify(execFile);
let server: Server;
let base: string;
let fake: SimulatedUpstream;
const dir = mkdtempSync(join(tmpdir(), 'inferwatch-once-'));

beforeAll(async () => {
  server = createServer((req, res) => res.writeHead(req.url === '/down' ? 500 : 200).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake = await startSimulatedUpstream();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

function configFile(name: string, targets: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `store: { path: ":memory:" }\nprober:\n  targets:\n${targets}`);
  return file;
}

async function probeOnce(file: string, ...flags: string[]) {
  try {
    const { stdout } = await exec(process.execPath, [
      'src/main.ts',
      'probe',
      '--once',
      ...flags,
      '--config',
      file,
    ]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('inferwatch probe --once', () => {
  it('prints a table and exits 0 when every target is up', async () => {
    const file = configFile(
      'up',
      `    - { name: health, http: { url: "${base}/ok", conditions: ["[BODY].status == ok"] } }\n    - { name: chat, model: { baseURL: "${fake.baseURL}", model: sim-small } }\n`,
    );
    const { code, stdout } = await probeOnce(file);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TARGET\s+KIND\s+STATE\s+LATENCY\s+TTFT\s+STATUS\s+ERROR$/);
    expect(lines[1]).toMatch(/^health\s+http\s+up\s+\d+ ms\s+-\s+200\s+-$/);
    expect(lines[2]).toMatch(/^chat\s+model\s+up\s+\d+ ms\s+\d+ ms\s+200\s+-$/);
  });

  it('exits 1 and names the error class when a target is down; --json is machine-readable', async () => {
    const file = configFile(
      'down',
      `    - { name: health, http: { url: "${base}/ok" } }\n    - { name: broken, http: { url: "${base}/down" } }\n    - { name: limited, model: { baseURL: "${fake.baseURL}", model: "sim-small+fault-429" } }\n`,
    );
    const table = await probeOnce(file);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/broken\s+http\s+down\s+\d+ ms\s+-\s+500\s+server_error/);
    expect(table.stdout).toMatch(/limited\s+model\s+down\s+\d+ ms\s+-\s+429\s+rate_limited/);
    const json = await probeOnce(file, '--json');
    expect(json.code).toBe(1);
    const records = JSON.parse(json.stdout) as { target: string; success: boolean; errorType?: string }[];
    expect(records.map((r) => [r.target, r.success, r.errorType ?? null])).toEqual([
      ['health', true, null],
      ['broken', false, 'server_error'],
      ['limited', false, 'rate_limited'],
    ]);
  });

  it('exits 2 with the key path when a condition does not parse', async () => {
    const file = configFile(
      'bad',
      `    - { name: x, http: { url: "${base}/ok", conditions: ["[STATUS] => 200"] } }\n`,
    );
    const { code, stderr } = await probeOnce(file);
    expect(code).toBe(2);
    expect(stderr).toContain('prober.targets.0.http.conditions.0');
  });
});
