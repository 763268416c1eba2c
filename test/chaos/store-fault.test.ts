import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { type Embedded, startEmbedded } from '../contract/embedded.ts';
import { requireTools } from '../required-tools.ts';
import { captureLines } from '../security/capture.ts';
import { drive } from './load.ts';

/**
 * A real full disk: the SQLite file lives on a 4 MB tmpfs that a filler file then fills to the last byte.
 * Needs root with CAP_SYS_ADMIN (mount); skipped with a message elsewhere.
 */
const dir = mkdtempSync(join(tmpdir(), 'inferwatch-full-'));
let canMount = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
  canMount = true;
} catch {}
const mounted = requireTools([
  {
    what: `a 4 MB tmpfs mounted at ${dir}`,
    met: canMount,
    fix: 'run the tests as root with CAP_SYS_ADMIN, as CI does',
  },
]);

const filler = join(dir, 'filler');
function fillDisk(): number {
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, block.subarray(0, written % 2 === 0 ? block.length : 4096));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  // Last bytes: page-sized writes until even those fail.
  try {
    for (;;) written += writeSync(fd, block.subarray(0, 512));
  } catch {}
  closeSync(fd);
  return written;
}

let server: Embedded | undefined;
const log = captureLines();

beforeAll(async () => {
  if (!mounted) return;
  server = await startEmbedded({
    storePath: join(dir, 'inferwatch.db'),
    overrides: { analyzer: { notify: [] }, prober: { targets: [] } },
    logger: createLogger({ level: 'info', destination: log.stream }),
  });
});

afterAll(async () => {
  await server?.stop().catch(() => {});
  if (mounted) execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

const setPrimary = (url: string, faults: Record<string, unknown> | undefined) =>
  fetch(`${url}/simulator/_sim/primary/faults`, {
    method: faults ? 'PUT' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    ...(faults ? { body: JSON.stringify(faults) } : {}),
  });

const webhook = (url: string, key: string) =>
  fetch(`${url}/api/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      groupKey: key,
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'X' }, startsAt: '2026-01-01T00:00:00Z', fingerprint: key },
      ],
    }),
  });

describe.skipIf(!mounted)('store fault: the disk under SQLite is full', () => {
  it('the request path keeps serving, a clear log line says why, and writes resume when space returns', async () => {
    const url = server?.url as string;
    expect(fillDisk()).toBeGreaterThan(0);
    // Failover raises incidents (store writes) on the request path.
    expect((await setPrimary(url, { mode: 'outage' })).status).toBe(200);
    const full = await drive(url, { durationMs: 2_000, concurrency: 2 });
    expect(full.errors).toEqual([]);
    expect(full.requests).toBeGreaterThan(10);
    await expect.poll(() => log.text()).toMatch(/could not store incident; continuing without it/);
    expect(log.text()).toMatch(/SQLITE_FULL|database or disk is full/);
    // The webhook cannot queue durably: 503 + Retry-After, so Alertmanager retries later.
    const refused = await webhook(url, 'disk-full');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const before = (await (await fetch(`${url}/api/incidents?limit=1000`)).json()) as { data: unknown[] };

    // Space returns: writes resume without a restart.
    rmSync(filler);
    expect((await setPrimary(url, undefined)).status).toBe(200);
    const accepted = await webhook(url, 'disk-back');
    expect(accepted.status).toBe(202);
    // The incident sink writes again (same path as the gateway's incidents, published on the bus).
    server?.runtime.context.bus.publish({
      type: 'incident',
      id: 'after-disk-full',
      kind: 'circuit_open',
      severity: 'warning',
      title: 'written after the disk had space again',
      subject: 'sim-primary',
      detail: {},
    });
    const after = (await (await fetch(`${url}/api/incidents?limit=1000`)).json()) as {
      data: { id: string }[];
    };
    expect(after.data.map((incident) => incident.id)).toContain('after-disk-full');
    expect(after.data.length).toBeGreaterThan(before.data.length);
  }, 30_000);
});
