import { parseArgs } from 'node:util';
import { runHostile } from './hostile.ts';

/**
 * Long hostile-input run against a live `inferwatch start`:
 *   node bench/fuzz/hostile-run.ts --seconds 300 [--seed N] [--concurrency 6]
 * Exits 1 on any violation, a dead server or an unhandled error in its log.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '6' },
  },
});
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const report = await runHostile({
  seconds: Number(values.seconds),
  seed,
  concurrency: Number(values.concurrency),
  out: (line) => console.log(line),
});
console.log(JSON.stringify({ ...report, violations: report.violations.length }, null, 2));
for (const line of report.violations) console.log(`VIOLATION ${line}`);
process.exitCode =
  report.violations.length === 0 && report.serverAlive && report.unhandledServerErrors.length === 0 ? 0 : 1;
