import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A loopback port for a process we are about to start (the gateway, Prometheus, the Collector) that takes
 * its port as an argument. Such a port is free when we look and taken only when the child binds it, so:
 *
 * - It comes from below the kernel's ephemeral range. Ports from `listen(0)` sit inside that range, where
 *   every outgoing connection also takes its local port: under load one did take such a port before the
 *   child bound it, and the child died with EADDRINUSE.
 * - Each vitest worker draws from its own slice (`VITEST_POOL_ID`), so two test files running side by
 *   side never get the same port; bench scripts, which never run beside tests, use slice 0. Two checkouts
 *   testing on one machine at once set `INFERWATCH_PORT_SLICE_OFFSET` (a whole number) apart so their
 *   workers draw from different slices too.
 * - A port is handed out once per process and is checked free by binding it.
 */
const SLICES = 32;
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  const { first, size } = slice();
  for (let tries = 0; tries < size; tries++) {
    const port = first + Math.floor(Math.random() * size);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port in ${first}..${first + size - 1}`);
}

function slice(): { first: number; size: number } {
  const [low, high] = portRangeBelowEphemeral();
  const size = Math.floor((high - low + 1) / SLICES);
  const pool = Number(process.env.VITEST_POOL_ID ?? 0);
  const offset = Number(process.env.INFERWATCH_PORT_SLICE_OFFSET ?? 0);
  const shift = Number.isInteger(offset) && offset > 0 ? offset : 0;
  const index = Number.isInteger(pool) && pool > 0 ? ((pool - 1 + shift) % (SLICES - 1)) + 1 : 0;
  return { first: low + index * size, size };
}

/** 10000 up to the start of the ephemeral range (32768 on Linux unless tuned). */
function portRangeBelowEphemeral(): [number, number] {
  let ephemeralStart = 32_768;
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(start) > 12_000) ephemeralStart = Number(start);
  } catch {
    // Not Linux: keep the usual default.
  }
  return [10_000, ephemeralStart - 1];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
