import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz.ts';

/**
 * Long fuzz run against a live `inferwatch start`:
 *   node bench/fuzz/run.ts --minutes 30 [--all-checks] [--seed N]
 * Exits 1 when a gated check failed, the server died or logged an unhandled error.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'all-checks': { type: 'boolean', default: false },
    seed: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
const result = await runFuzz({
  maxTimeSeconds: Math.round(Number(values.minutes) * 60),
  checks: values['all-checks'] ? 'all' : undefined,
  workers: Number(values.workers),
  extraArgs: values.seed ? ['--seed', values.seed] : [],
  out: (line) => console.log(line),
});
console.log(
  JSON.stringify(
    {
      testCases: result.testCases,
      failures: result.failures.length,
      schemathesisErrors: result.errors.length,
      serverAliveAfter: result.serverAliveAfter,
      unhandledServerErrors: result.unhandledServerErrors.length,
    },
    null,
    2,
  ),
);
for (const line of result.failures) console.log(`FAILURE ${line}`);
process.exitCode =
  result.failures.length === 0 && result.serverAliveAfter && result.unhandledServerErrors.length === 0
    ? 0
    : 1;
