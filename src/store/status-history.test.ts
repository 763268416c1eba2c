import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { createStatusHistory, RECENT_MINUTES } from './status-history.ts';

const HOUR = 3_600_000;
const start = Date.UTC(2026, 11, 1, 12, 0, 0);

function setup() {
  const clock = { now: start };
  const db = openDatabase(':memory:');
  const history = createStatusHistory(db, { now: () => clock.now });
  const rows = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { clock, history, rows };
}

describe('status history', () => {
  it('rolls outcomes into minutes for the recent bar and latency, oldest first, with empty minutes', () => {
    const { clock, history } = setup();
    history.record('probe', 'chat', true, 100);
    history.record('probe', 'chat', false, 300);
    clock.now += 60_000;
    history.record('probe', 'chat', true, 50);
    const [chat] = history.read('probe', ['chat']);
    expect(chat?.recent).toHaveLength(RECENT_MINUTES);
    expect(chat?.recent.at(-2)).toEqual({
      at: new Date(start).toISOString(),
      total: 2,
      failed: 1,
      latencyMs: 200,
    });
    expect(chat?.recent.at(-1)).toMatchObject({ total: 1, failed: 0, latencyMs: 50 });
    expect(chat?.recent[0]).toMatchObject({ total: 0, failed: 0, latencyMs: null });
    expect(chat?.total24h).toBe(3);
    expect(chat?.uptime24h).toBeCloseTo(2 / 3, 5);
  });

  it('counts 24 h and 7 d apart, and says null (not 100 %) when there was nothing to count', () => {
    const { clock, history } = setup();
    history.record('provider', 'openai', false);
    history.flush();
    clock.now += 2 * 24 * HOUR;
    history.record('provider', 'openai', true);
    const [openai, idle] = history.read('provider', ['openai', 'idle']);
    expect(openai).toMatchObject({ uptime24h: 1, uptime7d: 0.5, total24h: 1 });
    expect(idle).toMatchObject({ uptime24h: null, uptime7d: null, total24h: 0 });
    clock.now += 6 * 24 * HOUR;
    expect(history.read('provider', ['openai'])[0]).toMatchObject({ uptime24h: null, uptime7d: 1 });
  });

  it('keeps kinds and names apart', () => {
    const { history } = setup();
    history.record('probe', 'same', false);
    history.record('provider', 'same', true);
    expect(history.read('probe', ['same'])[0]?.uptime24h).toBe(0);
    expect(history.read('provider', ['same'])[0]?.uptime24h).toBe(1);
  });

  it('stays bounded: one row per series and minute or hour, and prunes what the windows no longer show', () => {
    const { clock, history, rows } = setup();
    for (let i = 0; i < 1_000; i += 1) history.record('provider', 'busy', i % 10 !== 0, 5);
    history.flush();
    expect(rows('status_minutes')).toBe(1);
    expect(rows('status_hours')).toBe(1);
    for (let hour = 0; hour < 10 * 24; hour += 1) {
      clock.now += HOUR;
      history.record('provider', 'busy', true);
      history.flush();
    }
    expect(history.prune()).toBeGreaterThan(0);
    expect(rows('status_minutes')).toBeLessThanOrEqual(3);
    expect(rows('status_hours')).toBeLessThanOrEqual(8 * 24 + 1);
  });
});
