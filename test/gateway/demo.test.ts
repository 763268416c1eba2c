import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';

describe('inferwatch demo', () => {
  it('knocks the primary out, prints the breaker opening and the failover, and stops cleanly', async () => {
    const port = await freePort();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'src/main.ts',
        'demo',
        '--duration-seconds',
        '7',
        '--outage-after-seconds',
        '2',
        '--outage-seconds',
        '3',
        '--port',
        String(port),
      ],
      {
        timeout: 30_000,
        env: {
          ...process.env,
          OPENAI_API_KEY: '',
          INFERWATCH_LOG_LEVEL: 'silent',
          INFERWATCH_STORE_PATH: ':memory:',
        },
      },
    );
    expect(stdout).toContain(`status page: http://127.0.0.1:${port}/`);
    expect(stdout).toMatch(/knocking sim-primary out/);
    expect(stdout).toMatch(/breaker sim-primary\/sim-small: closed → open/);
    expect(stdout).toMatch(/failover: sim-primary → sim-backup/);
    expect(stdout).toMatch(/sim-primary is back/);
    expect(stdout).toMatch(/demo stopped/);
  }, 40_000);
});
