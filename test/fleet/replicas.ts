import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/free-port.ts';
import { type InferwatchProcess, startInferwatch } from '../e2e/inferwatch-process.ts';

export interface Replica extends InferwatchProcess {
  name: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  chat(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  log(): string;
}

export interface Fleet {
  replicas: Replica[];
  dir: string;
  stop(): Promise<void>;
}

/**
 * `count` gateway processes (`node src/main.ts gateway`), each with its own port, SQLite file and
 * instance id (replica-a, replica-b, ...), sharing `config` (the Redis section included): a fleet as a
 * deployment runs it, behind no balancer (the tests pick the replica).
 */
export async function startFleet(count: number, config: Record<string, unknown>): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-fleet-'));
  const started: Replica[] = [];
  const stop = async () => {
    await Promise.all(started.map((replica) => replica.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One after the other: three Node processes starting at once on two busy cores can each take longer
    // than the start-up wait; in turn, each is quick.
    for (let index = 0; index < count; index++) {
      started.push(await startReplica(`replica-${String.fromCharCode(97 + index)}`, dir, config));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { replicas: started, dir, stop };
}

async function startReplica(name: string, dir: string, config: Record<string, unknown>): Promise<Replica> {
  const process = await startInferwatch({
    name,
    role: 'gateway',
    port: await freePort(),
    dir,
    config: {
      ...config,
      store: { path: join(dir, `${name}.db`) },
      telemetry: { instanceId: name },
      log: { level: 'info' },
    },
  });
  return {
    ...process,
    name,
    get: (path, headers = {}) => fetch(`${process.url}${path}`, { headers }),
    chat: (body, headers = {}) =>
      fetch(`${process.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    log: () => process.process.tail(400),
  };
}

/** The breaker state a replica reports for one provider (GET /api/providers). */
export async function breakerState(replica: Replica, provider: string): Promise<string | undefined> {
  const response = await replica.get('/api/providers');
  const body = (await response.json()) as { data: { name: string; state: string }[] };
  return body.data.find((row) => row.name === provider)?.state;
}

export const chatBody = (model = 'sim-small') => ({
  model,
  messages: [{ role: 'user', content: 'hello fleet' }],
});
