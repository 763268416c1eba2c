import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);
const poolId = process.env.VITEST_POOL_ID;
const sliceOffset = process.env.INFERWATCH_PORT_SLICE_OFFSET;

describe('freePort', () => {
  afterEach(() => {
    if (poolId === undefined) delete process.env.VITEST_POOL_ID;
    else process.env.VITEST_POOL_ID = poolId;
    if (sliceOffset === undefined) delete process.env.INFERWATCH_PORT_SLICE_OFFSET;
    else process.env.INFERWATCH_PORT_SLICE_OFFSET = sliceOffset;
  });

  it('hands out distinct ports below the ephemeral range, where no outgoing connection can take them', async () => {
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
    }
  });

  it('gives each vitest worker its own slice, so test files running side by side never share a port', async () => {
    const range = async (pool: string) => {
      process.env.VITEST_POOL_ID = pool;
      const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
      return { low: Math.min(...ports), high: Math.max(...ports) };
    };
    const first = await range('1');
    const second = await range('2');
    expect(first.high < second.low || second.high < first.low).toBe(true);
  });

  it('moves a whole checkout to other slices with INFERWATCH_PORT_SLICE_OFFSET, so two checkouts can test at once', async () => {
    const range = async (offset: string) => {
      process.env.VITEST_POOL_ID = '1';
      process.env.INFERWATCH_PORT_SLICE_OFFSET = offset;
      const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
      return { low: Math.min(...ports), high: Math.max(...ports) };
    };
    const first = await range('0');
    const second = await range('4');
    expect(first.high < second.low || second.high < first.low).toBe(true);
  });
});
