import { describe, expect, it } from 'vitest';
import { runHostile } from '../../bench/fuzz/hostile.ts';

/**
 * The hostile-input fuzzer's CI cut: 20 s of random cases from every attack class found by attacking the
 * gateway (Upgrade requests on any path, deep JSON, unbounded and Object.prototype model names, the
 * simulator's controls without a key, random tokens, prototype names in path parameters) against a live
 * `inferwatch start`. A new seed each run, printed on failure; INFERWATCH_FUZZ_SEED replays one. The long
 * run: node bench/fuzz/hostile-run.ts --seconds 300.
 */
describe('hostile-input fuzzing against a live inferwatch start', () => {
  it('every answer satisfies its oracle; no breaker opens, no descriptor leaks, the server survives', async () => {
    const seed = Number(process.env.INFERWATCH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const lines: string[] = [];
    const report = await runHostile({ seconds: 20, seed, out: (line) => lines.push(line) });
    const context = `seed ${seed}\n${lines.join('\n').slice(-3_000)}`;
    expect(report.sent, context).toBeGreaterThan(100);
    for (const count of Object.values(report.byClass)) expect(count, context).toBeGreaterThan(0);
    expect(report.violations, context).toEqual([]);
    expect(report.serverAlive, context).toBe(true);
    expect(report.unhandledServerErrors, context).toEqual([]);
    expect(report.rssEndMb - report.rssStartMb, context).toBeLessThan(200);
  }, 90_000);
});
