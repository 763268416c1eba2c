import { describe, expect, it } from 'vitest';
import { gatedChecks, runFuzz, schemathesisBin } from '../../bench/fuzz/fuzz.ts';
import { executable, requireTools } from '../required-tools.ts';

const available = requireTools([
  executable('schemathesis', schemathesisBin, 'run scripts/setup.sh to install it into .build/venv'),
]);

describe.skipIf(!available)('schemathesis against a live inferwatch start', () => {
  it(`no 5xx, no crash, every response conforms (${gatedChecks.length} checks, 35 s)`, async () => {
    const lines: string[] = [];
    const result = await runFuzz({ maxTimeSeconds: 35, out: (line) => lines.push(line) });
    const report = lines.join('\n').slice(-4000);
    expect(result.testCases, report).toBeGreaterThan(10);
    expect(result.failures, report).toEqual([]);
    expect(result.serverAliveAfter, report).toBe(true);
    expect(result.unhandledServerErrors).toEqual([]);
  }, 90_000);
});
