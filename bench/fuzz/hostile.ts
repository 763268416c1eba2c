import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../free-port.ts';
import { sampleProcess } from '../soak/processes.ts';
import {
  type AttackClass,
  attackClasses,
  type Case,
  faultyRoutes,
  generators,
  seededRandom,
} from './hostile-cases.ts';

export interface HostileOptions {
  seconds: number;
  seed: number;
  /** Cases in flight at once. */
  concurrency?: number;
  out?: (line: string) => void;
}

export interface HostileReport {
  seed: number;
  sent: number;
  byClass: Record<AttackClass, number>;
  /** Cases whose answer broke their oracle, and end-of-run invariants that did not hold. */
  violations: string[];
  rssStartMb: number;
  rssEndMb: number;
  fdsStart: number;
  fdsEnd: number;
  serverAlive: boolean;
  unhandledServerErrors: string[];
}

const root = resolve(import.meta.dirname, '../..');
const key = 'hostile-key';

/**
 * The embedded default's shape (simulated primary and backup served by the process itself) plus a
 * provider that only ever fails, behind the routes upstreamError cases use. Its breaker opens by design;
 * the others must not.
 */
function hostileConfig(port: number): Record<string, unknown> {
  const self = `http://127.0.0.1:${port}/simulator`;
  return {
    server: { port },
    simulator: { enabled: true, mountPath: '/simulator' },
    providers: [
      { name: 'sim-primary', baseURL: `${self}/primary/v1`, healthCheck: 'models' },
      { name: 'sim-backup', baseURL: `${self}/backup/v1`, healthCheck: 'models' },
      { name: FAULTY, baseURL: `${self}/faulty/v1`, healthCheck: 'none' },
    ],
    routes: [
      ...Object.entries(faultyRoutes).map(([model, upstream]) => ({
        model,
        targets: [{ provider: FAULTY, model: upstream }],
      })),
      { model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] },
    ],
    retry: { baseDelayMs: 0, maxDelayMs: 50 },
    analyzer: { notify: [] },
  };
}

const FAULTY = 'sim-faulty';

/**
 * Runs `inferwatch start` (simulated providers, an API key, a webhook token) and sends it random cases of
 * every attack class for `seconds`, checking each answer against its oracle. At the end: the process is
 * alive and answers /health, no breaker but the failing provider's opened (no attack counted against a
 * provider), the simulator's faults are untouched, descriptors are back near where they started and
 * nothing was logged as an unhandled error. The seed reproduces the sequence of cases per worker.
 */
export async function runHostile(options: HostileOptions): Promise<HostileReport> {
  const out = options.out ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-hostile-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(dir, 'inferwatch.yaml');
  // YAML is a superset of JSON.
  writeFileSync(config, JSON.stringify(hostileConfig(port)));
  const server = spawn(process.execPath, ['src/main.ts', 'start', '--config', config], {
    cwd: root,
    env: {
      ...process.env,
      INFERWATCH_PORT: String(port),
      INFERWATCH_API_KEYS: key,
      INFERWATCH_WEBHOOK_TOKEN: 'hostile-webhook-token',
      INFERWATCH_STORE_PATH: join(dir, 'hostile.db'),
      INFERWATCH_LOG_LEVEL: 'warn',
      OPENAI_API_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  server.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  let exited = false;
  server.on('exit', () => {
    exited = true;
  });
  const violations: string[] = [];
  const byClass = Object.fromEntries(attackClasses.map((name) => [name, 0])) as Record<AttackClass, number>;
  try {
    await waitForHealth(base, () => exited);
    const pid = server.pid as number;
    const start = sampleProcess(pid);
    const deadline = Date.now() + options.seconds * 1000;
    let sent = 0;
    const worker = async (index: number) => {
      const random = seededRandom(options.seed + index * 7_919);
      while (Date.now() < deadline && !exited) {
        const name = attackClasses[Math.floor(random() * attackClasses.length)] as AttackClass;
        const generated = generators[name]({ key, random });
        const problem = await run(base, port, generated);
        sent += 1;
        byClass[name] += 1;
        if (problem) {
          violations.push(`${name}: ${problem}`);
          out(`VIOLATION ${name}: ${problem}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, (_, index) => worker(index)));
    out(`sent ${sent} cases: ${JSON.stringify(byClass)}`);
    if (exited) violations.push(`the server exited during the run:\n${log.slice(-2_000)}`);
    else {
      const ended = await endInvariants(base, pid, start.fds).catch((error: unknown) => [
        `end-of-run checks could not run: ${(error as Error).message}`,
      ]);
      violations.push(...ended);
    }
    const end = exited ? { rssMb: Number.NaN, fds: Number.NaN } : sampleProcess(pid);
    const alive = !exited && (await status(`${base}/health`)) === 200;
    return {
      seed: options.seed,
      sent,
      byClass,
      violations,
      rssStartMb: start.rssMb,
      rssEndMb: end.rssMb,
      fdsStart: start.fds,
      fdsEnd: end.fds,
      serverAlive: alive,
      unhandledServerErrors: log.split('\n').filter((line) => line.includes('unhandled error')),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((done) => (exited ? done(undefined) : server.once('exit', done)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends one case; returns what is wrong with the answer, if anything. */
async function run(base: string, port: number, generated: Case): Promise<string | undefined> {
  if (generated.kind === 'raw') {
    const head = await rawHead(port, generated.bytes, generated.leave);
    return generated.leave ? undefined : generated.check(head);
  }
  try {
    const response = await fetch(`${base}${generated.path}`, {
      method: generated.method,
      headers: generated.headers,
      body: generated.body,
      signal: AbortSignal.timeout(15_000),
    });
    return generated.check(response.status, await response.text());
  } catch (error) {
    return `${generated.method} ${generated.path.slice(0, 80)}: ${(error as Error).message}`;
  }
}

/** The response head to raw bytes, or undefined when none came within 3 s; `leave` closes at once. */
function rawHead(port: number, bytes: string, leave: boolean): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = (head: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      done(head);
    };
    const timer = setTimeout(() => finish(undefined), 3_000);
    socket.on('error', () => finish(text || undefined));
    socket.on('connect', () => {
      if (leave) {
        socket.end(bytes);
        finish(undefined);
      } else socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) finish(text);
    });
    socket.on('end', () => finish(text || undefined));
  });
}

/** What must hold after the attack: nothing counted against a provider, controls untouched, no leak. */
async function endInvariants(base: string, pid: number, fdsStart: number): Promise<string[]> {
  const problems: string[] = [];
  const auth = { authorization: `Bearer ${key}` };
  const providers = (await (await fetch(`${base}/api/providers`, { headers: auth })).json()) as {
    data: { name: string; state: string; targets: { model: string; state: string }[] }[];
  };
  for (const provider of providers.data.filter((entry) => entry.name !== FAULTY)) {
    for (const target of provider.targets) {
      if (target.state !== 'closed')
        problems.push(`breaker ${provider.name}/${target.model} is ${target.state}`);
    }
  }
  for (const instance of ['primary', 'backup']) {
    const faults = (await (
      await fetch(`${base}/simulator/_sim/${instance}/faults`, { headers: auth })
    ).json()) as {
      faults: Record<string, unknown>;
    };
    if (Object.keys(faults.faults).length > 0) problems.push(`simulator ${instance} faults were changed`);
  }
  // Every raw case's connection is closed by now; the server must have let go of its side too. What may
  // remain are keep-alive connections: the fuzzer's own and the gateway's pools to the simulator it serves
  // itself (two descriptors each). A leak per upgrade case would be hundreds.
  const allowance = 100;
  const settled = Date.now() + 5_000;
  while (sampleProcess(pid).fds > fdsStart + allowance && Date.now() < settled) {
    await new Promise((done) => setTimeout(done, 100));
  }
  const fds = sampleProcess(pid).fds;
  if (fds > fdsStart + allowance) problems.push(`${fds - fdsStart} descriptors more than at the start`);
  return problems;
}

const status = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
    (response) => response.status,
    () => 0,
  );

async function waitForHealth(base: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited()) {
    if ((await status(`${base}/health`)) === 200) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`inferwatch did not become healthy at ${base}`);
}
