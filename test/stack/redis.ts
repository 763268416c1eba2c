import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/free-port.ts';
import { binaryPaths, binaryRequirements } from './binaries.ts';
import { isRunning, type StartedProcess, startProcess } from './process.ts';
import { waitFor } from './wait.ts';

/** What a Redis test needs, for requireTools(): skipped locally without it, a failure under CI. */
export const redisRequirements = () => binaryRequirements(['redisServer']);

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface RedisServerOptions {
  /** `requirepass`: the default user needs this password. */
  password?: string;
  /** An ACL user allowed only keys and channels under `prefix` (and the default user turned off). */
  aclUser?: { name: string; password: string; prefix: string };
  /** Serve TLS only (no plain port), with these files; clients need not present a certificate. */
  tls?: TlsFiles;
}

export interface RedisServer {
  port: number;
  /** A URL to reach it (rediss:// with TLS), without credentials. */
  url: string;
  process: () => StartedProcess;
  /** SIGKILL: a crash, as an outage looks to the clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same options (empty: nothing was persisted). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port with its own directory and no persistence, as the tests
 * start Prometheus: never the machine's service.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'inferwatch-redis-'));
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  args.push(...(options.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)]));
  if (options.tls) {
    args.push('--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key);
    args.push('--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no');
  }
  if (options.password) args.push('--requirepass', options.password);
  if (options.aclUser) {
    const { name, password, prefix } = options.aclUser;
    const acl = join(dir, 'users.acl');
    writeFileSync(
      acl,
      `user default off\nuser ${name} on >${password} ~${prefix}* &${prefix}* +@all -@dangerous +info\n`,
    );
    args.push('--aclfile', acl);
  }
  let started: StartedProcess;
  let runs = 0;
  const launch = async () => {
    runs += 1;
    started = startProcess({
      name: 'redis',
      command: binaryPaths.redisServer,
      args,
      logFile: join(dir, `redis-${runs}.log`),
    });
    const current = started;
    await waitFor(
      'redis-server to accept connections',
      async () => (current.tail(200).includes('Ready to accept connections') ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 50, alive: () => isRunning(current) },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${current.tail()}`);
    });
  };
  await launch();
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    process: () => started,
    async kill() {
      started.child.kill('SIGKILL');
      await started.stop(0);
    },
    restart: launch,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a server certificate for 127.0.0.1 and localhost, made with openssl in `dir`. */
export function makeTlsFiles(dir: string): TlsFiles {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=inferwatch test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
    '-out',
    file('server.pem'),
  );
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}
