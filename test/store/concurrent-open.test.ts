import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/index.ts';

const run = promisify(execFile);
const child = resolve(import.meta.dirname, 'open-race-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'inferwatch-open-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two processes opening one fresh store at the same instant', () => {
  it('both succeed, every round: busy_timeout before WAL, the migration check inside its transaction', async () => {
    const rounds = 25;
    // Both processes spin until the same instants: long enough from now for both to have started.
    const startAt = Date.now() + 3_000;
    const args = [child, dir, String(rounds), String(startAt), '120'];
    const [first, second] = await Promise.all([
      run(process.execPath, args, { timeout: 30_000 }),
      run(process.execPath, args, { timeout: 30_000 }),
    ]);
    const failures = [...first.stdout.split('\n'), ...second.stdout.split('\n')].filter(
      (line) => line && !line.endsWith(': ok'),
    );
    expect(failures).toEqual([]);
    expect(first.stdout.match(/: ok/g)?.length).toBe(rounds);
    expect(second.stdout.match(/: ok/g)?.length).toBe(rounds);
    // Each store got its migrations once and both processes' rows.
    const db = openDatabase(join(dir, 'round-0.db'));
    try {
      const applied = db.prepare("SELECT count(*) AS n FROM migrations WHERE name LIKE 'race/%'").get() as {
        n: number;
      };
      expect(applied.n).toBe(2);
      expect((db.prepare('SELECT count(*) AS n FROM race_one').get() as { n: number }).n).toBe(2);
      expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    } finally {
      db.close();
    }
  }, 40_000);
});
