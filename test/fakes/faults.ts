import type { Response } from 'express';

/**
 * What a fake receiver does with the next request: answer normally, answer with an HTTP error (429 with
 * an optional Retry-After), or never answer so that the sender's timeout has to fire.
 */
export type Fault = 'ok' | 'hang' | 400 | 401 | 404 | 413 | 422 | 429 | 500 | 502 | 503;

export interface FaultQueue {
  /** The next `count` requests get `fault` (429s carry `retryAfter` when given), then back to normal. */
  failNext(count: number, fault: Fault, retryAfter?: string): void;
  clear(): void;
  /** Takes the fault for the request at hand: 'ok' when none is queued. */
  take(): { fault: Fault; retryAfter?: string | undefined };
}

export function createFaultQueue(): FaultQueue {
  const queue: { fault: Fault; retryAfter?: string | undefined }[] = [];
  return {
    failNext(count, fault, retryAfter) {
      for (let i = 0; i < count; i += 1) queue.push({ fault, retryAfter });
    },
    clear: () => void queue.splice(0),
    take: () => queue.shift() ?? { fault: 'ok' },
  };
}

/**
 * Answers a request that drew a fault, with `body` as each receiver's error body. Returns false for
 * 'ok' (the caller answers). A hung request is left open: closing the fake destroys its socket.
 */
export function answerFault(
  res: Response,
  taken: ReturnType<FaultQueue['take']>,
  body: (status: number) => unknown,
): boolean {
  if (taken.fault === 'ok') return false;
  if (taken.fault === 'hang') return true;
  if (taken.retryAfter !== undefined) res.setHeader('retry-after', taken.retryAfter);
  res.status(taken.fault).json(body(taken.fault));
  return true;
}
