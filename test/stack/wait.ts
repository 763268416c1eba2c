export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked on every round: a process that died will never become ready, so stop waiting early. */
  alive?: () => boolean;
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200, alive = () => true }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

/** Waits until GET `url` answers 2xx. */
export const waitForHttp = (url: string, options?: WaitOptions) =>
  waitFor(
    `GET ${url}`,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok ? true : undefined;
    },
    options,
  );
