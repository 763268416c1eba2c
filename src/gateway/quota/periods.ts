import type { Period } from './types.ts';

/** The UTC day or month `now` falls in: its name (part of a key) and when it ends. */
export function periodOf(period: Period, now: number): { name: string; endsAt: number } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'day') {
    const day = date.getUTCDate();
    return { name: date.toISOString().slice(0, 10), endsAt: Date.UTC(year, month, day + 1) };
  }
  return { name: date.toISOString().slice(0, 7), endsAt: Date.UTC(year, month + 1, 1) };
}

/** A day's or month's counters outlive it a little, so a late charge still finds them; then they expire. */
export const periodKeepMs = { day: 2 * 86_400_000, month: 32 * 86_400_000 } as const satisfies Record<
  Period,
  number
>;

export const TOKEN_WINDOW_MS = 60_000;
