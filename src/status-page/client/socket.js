// A WebSocket that comes back: full-jitter exponential backoff between attempts, reset once a connection
// opens. Time, randomness and the WebSocket class are parameters so Node tests can drive it.

/**
 * @typedef {'connecting' | 'live' | 'reconnecting' | 'stopped'} ConnectionState
 * @typedef {{ url: () => string, onEvent: (event: Record<string, unknown> & { type: string }) => void,
 *   onState: (state: ConnectionState, retryInMs?: number) => void, onOpen?: () => void,
 *   WebSocketImpl?: typeof WebSocket, random?: () => number, baseDelayMs?: number, maxDelayMs?: number,
 *   setTimer?: (callback: () => void, ms: number) => unknown, clearTimer?: (handle: unknown) => void }} EventStreamOptions
 */

/**
 * Delay before retry `attempt` (0-based): uniform in [0, min(max, base·2^attempt)], at least 100 ms.
 * @param {number} attempt @param {() => number} random @param {number} [baseDelayMs] @param {number} [maxDelayMs]
 */
export function backoffDelay(attempt, random, baseDelayMs = 500, maxDelayMs = 15_000) {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.max(100, Math.round(random() * ceiling));
}

/** @param {EventStreamOptions} options @returns {{ close(): void, reconnect(): void }} */
export function connectEvents({
  url,
  onEvent,
  onState,
  onOpen = () => {},
  WebSocketImpl = WebSocket,
  random = Math.random,
  baseDelayMs = 500,
  maxDelayMs = 15_000,
  setTimer = (callback, ms) => setTimeout(callback, ms),
  clearTimer = (handle) => clearTimeout(/** @type {number} */ (handle)),
}) {
  let attempt = 0;
  let stopped = false;
  /** @type {WebSocket | undefined} */
  let socket;
  /** @type {unknown} */
  let timer;

  const retry = () => {
    if (stopped) return;
    const delay = backoffDelay(attempt, random, baseDelayMs, maxDelayMs);
    attempt += 1;
    onState('reconnecting', delay);
    timer = setTimer(open, delay);
  };

  function open() {
    if (stopped) return;
    onState(attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocketImpl(url());
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      onState('live');
      onOpen();
    });
    ws.addEventListener('message', (message) => {
      try {
        const event = JSON.parse(String(message.data));
        if (event && typeof event.type === 'string') onEvent(event);
      } catch {
        // A frame that is not an event is ignored; the next one may be fine.
      }
    });
    // 'close' follows 'error', so one place schedules the retry.
    // A socket replaced by reconnect() or ended by close() schedules nothing.
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = undefined;
      retry();
    });
  }

  /** Drops the current socket (or pending retry) without scheduling a retry. */
  const drop = () => {
    clearTimer(timer);
    const current = socket;
    socket = undefined;
    current?.close();
  };

  open();
  return {
    close() {
      stopped = true;
      drop();
      onState('stopped');
    },
    /** Connect again now, e.g. once the user has entered an API key. */
    reconnect() {
      if (stopped) return;
      drop();
      attempt = 0;
      open();
    },
  };
}
