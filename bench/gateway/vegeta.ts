import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadResult } from './load.ts';

/**
 * Fixed-rate load with vegeta (an open-loop generator: requests leave on schedule whether or not earlier
 * ones have answered, so a slow target cannot slow the clock that measures it) and nanosecond latencies.
 * autocannon is not used for fixed rates: its `overallRate` mode back-fills the histogram as if one request
 * were due every millisecond (HdrHistogram's recordValueWithExpectedInterval given ceil(1 / rate-per-second)),
 * which reported a p50 of 12 ms for a simulator whose every answer takes at least 22 ms.
 */
export const VEGETA = process.env.VEGETA ?? resolve('.build/bin/vegeta');

/** Throws, saying how to install it, when vegeta is missing: call before starting anything expensive. */
export function requireVegeta(): void {
  if (!existsSync(VEGETA)) {
    throw new Error(`vegeta not found at ${VEGETA}: run bash bench/gateway/install-peers.sh (needs Go)`);
  }
}

export interface RateOptions {
  url: string;
  body: unknown;
  headers?: Record<string, string> | undefined;
  /** Requests per second, held for the whole run. */
  rate: number;
  durationSeconds: number;
  /**
   * Upper bound on concurrent requests. An overloaded target then sees closed-loop load instead of an
   * unbounded pile of sockets; its latency is still far above the others, which is what the table shows.
   */
  maxInFlight?: number;
}

const bodies = mkdtempSync(join(tmpdir(), 'inferwatch-vegeta-'));
let bodyCount = 0;

/** Exit code, stdout and the tail of stderr of one child process fed `input`. */
function run(command: string, args: string[], input: string | NodeJS.ReadableStream) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  if (typeof input === 'string') child.stdin.end(input);
  else input.pipe(child.stdin);
  return {
    child,
    done: new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((settle, reject) => {
      child.once('error', reject);
      child.once('close', (code) => settle({ code, stdout: Buffer.concat(stdout), stderr }));
    }),
  };
}

interface VegetaReport {
  requests: number;
  rate: number;
  latencies: Record<'50th' | '90th' | '99th' | 'max', number>;
  status_codes: Record<string, number> | null;
  errors: string[] | null;
}

/** One vegeta attack piped into `vegeta report -type=json`; latencies in milliseconds. */
export async function runAtRate({
  url,
  body,
  headers = {},
  rate,
  durationSeconds,
  maxInFlight = 256,
}: RateOptions): Promise<LoadResult> {
  requireVegeta();
  bodyCount += 1;
  const bodyFile = join(bodies, `body-${bodyCount}.json`);
  writeFileSync(bodyFile, JSON.stringify(body));
  const allHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...headers };
  const attack = run(
    VEGETA,
    [
      'attack',
      `-rate=${rate}/1s`,
      `-duration=${durationSeconds}s`,
      `-body=${bodyFile}`,
      ...Object.entries(allHeaders).map(([name, value]) => `-header=${name}: ${value}`),
      '-timeout=30s',
      `-max-workers=${maxInFlight}`,
      // Bodies are read to the end (that is the latency) but not kept in the results.
      '-max-body=0',
    ],
    `POST ${url}\n`,
  );
  const report = run(VEGETA, ['report', '-type=json'], attack.child.stdout);
  const [attacked, reported] = await Promise.all([attack.done, report.done]);
  if (attacked.code !== 0) throw new Error(`vegeta attack exited with ${attacked.code}: ${attacked.stderr}`);
  if (reported.code !== 0) throw new Error(`vegeta report exited with ${reported.code}: ${reported.stderr}`);
  const parsed = JSON.parse(reported.stdout.toString()) as VegetaReport;
  const codes = parsed.status_codes ?? {};
  const ok = Object.entries(codes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  // Status "0" is vegeta's bucket for requests that got no HTTP answer (refused, reset, timed out).
  const errors = codes['0'] ?? 0;
  const ms = (ns: number) => ns / 1e6;
  return {
    requests: parsed.requests,
    rps: parsed.rate,
    p50: ms(parsed.latencies['50th']),
    p90: ms(parsed.latencies['90th']),
    p99: ms(parsed.latencies['99th']),
    errors,
    non2xx: parsed.requests - ok - errors,
    // vegeta lists each distinct error once ("Post …: read: connection reset by peer", "500 Internal …").
    ...(parsed.errors?.length ? { errorMessages: parsed.errors } : {}),
  };
}
