import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak/soak.ts';

/**
 * The soak's CI cut: 60 s at 100 RPS (half the bench's rate: the suite shares 2 cores with other test
 * files) through `inferwatch start` with a flapping primary and a healthy backup. The 30-minute figures
 * live in bench/RESULTS.md (node bench/soak/run.ts).
 */
describe('soak (60 s)', () => {
  it('no client-visible errors while the backup is healthy; RSS and fds stay bounded', async () => {
    const lines: string[] = [];
    const report = await runSoak({ durationMs: 60_000, rps: 100, out: (line) => lines.push(line) });
    const context = `${lines.join('\n')}\n${JSON.stringify({ ...report, samples: undefined })}`;
    expect(report.sent, context).toBeGreaterThan(5_000);
    expect(report.clientErrors, context).toBe(0);
    expect(report.ok, context).toBe(report.sent);
    // The flapping primary really failed underneath (the failures were absorbed, not absent).
    expect(report.injectedUpstreamFailures, context).toBeGreaterThan(0);
    // Bounded: after warm-up the heap settles; a leak of a few KB per request would show as hundreds of MB.
    expect(report.rssMaxMb, context).toBeLessThan(450);
    // Sockets in use follow the concurrency of the moment; what stays open once traffic stops is the leak.
    expect(report.fdsAfterIdle - report.fdsStart, context).toBeLessThan(50);
    expect(report.gatewayExit.code, context).toBe(0);
  }, 120_000);
});
