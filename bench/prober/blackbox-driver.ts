import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { offsetFor } from '../../src/prober/scheduler.ts';
import { freePort } from '../free-port.ts';
import { percentile, processUsage } from './stats.ts';

const BINARY = '/usr/bin/prometheus-blackbox-exporter';

// The same check as the inferwatch side: GET, any 2xx, body must say ok, fresh connection, IPv4.
const config = `modules:
  http_ok:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ['"status":"ok"']
`;

export interface BlackboxOptions {
  base: string;
  targets: number;
  intervalSeconds: number;
  seconds: number;
  children: ChildProcess[];
}

/**
 * Starts blackbox_exporter and scrapes /probe for every target once per interval, each at the same
 * per-name offset inferwatch uses, so both sides see the same request rate and spread.
 */
export async function runBlackbox({ base, targets, intervalSeconds, seconds, children }: BlackboxOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-blackbox-'));
  writeFileSync(join(dir, 'blackbox.yml'), config);
  const port = await freePort();
  const exporter = spawn(
    BINARY,
    [
      `--config.file=${join(dir, 'blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  children.push(exporter);
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64 });
  for (let attempt = 0; ; attempt++) {
    try {
      await (await pool.request({ path: '/-/healthy', method: 'GET' })).body.text();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const intervalMs = intervalSeconds * 1000;
  const durations: number[] = [];
  const lateness: number[] = [];
  let failures = 0;
  const begin = Date.now();
  const before = processUsage(exporter.pid as number);
  let peakRss = before.rssBytes;
  const timers: NodeJS.Timeout[] = [];
  const scrape = async (i: number, planned: number) => {
    lateness.push(Date.now() - planned);
    const target = encodeURIComponent(`${base}/t/${i}`);
    const { body } = await pool.request({ path: `/probe?module=http_ok&target=${target}`, method: 'GET' });
    const text = await body.text();
    const duration = Number(/^probe_duration_seconds ([\d.e+-]+)$/m.exec(text)?.[1]);
    durations.push(duration * 1000);
    if (!/^probe_success 1$/m.test(text)) failures += 1;
  };
  for (let i = 0; i < targets; i++) {
    const offset = offsetFor(`t${i}`, intervalMs);
    const tick = (planned: number) => {
      if (planned - begin >= seconds * 1000) return;
      scrape(i, planned).catch(() => {
        failures += 1;
      });
      timers.push(setTimeout(() => tick(planned + intervalMs), planned + intervalMs - Date.now()));
    };
    timers.push(setTimeout(() => tick(begin + offset), offset));
  }
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, processUsage(exporter.pid as number).rssBytes);
  }, 1_000);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 2000));
  for (const timer of timers) clearTimeout(timer);
  clearInterval(sampler);
  const after = processUsage(exporter.pid as number);
  const version = await (await pool.request({ path: '/metrics', method: 'GET' })).body.text();
  exporter.kill('SIGTERM');
  await pool.close();
  return {
    version: /blackbox_exporter_build_info\{[^}]*version="([^"]+)"/.exec(version)?.[1] ?? '?',
    probes: durations.length,
    failures,
    cpuMsPerProbe: ((after.cpuSeconds - before.cpuSeconds) * 1000) / (durations.length || 1),
    cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / (seconds + 2)) * 100,
    rssMb: peakRss / 1_048_576,
    durationP99Ms: percentile(durations, 99),
    driverJitterP99Ms: percentile(lateness, 99),
  };
}
