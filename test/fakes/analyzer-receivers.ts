import express from 'express';
import { type Listening, listen } from '../../src/http/index.ts';

export type ReceiverFault = 'ok' | 500 | 429 | 400 | 'hang';
export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: unknown;
  status: number;
}

/**
 * Slack-, Discord- and webhook-shaped receivers on one loopback server (`/slack`, `/discord`, `/hook`).
 * They record every request and fail on demand: `failNext(n, fault)` then back to `ok`.
 */
export async function startReceivers() {
  const received: Received[] = [];
  const faults: { fault: ReceiverFault; retryAfter: string }[] = [];
  const app = express();
  app.use(express.text({ type: '*/*', limit: '5mb' }));
  app.post(['/slack', '/discord', '/hook'], async (req, res) => {
    const { fault, retryAfter } = faults.shift() ?? { fault: 'ok', retryAfter: '0' };
    const status = fault === 'ok' ? (req.path === '/discord' ? 204 : 200) : fault === 'hang' ? 0 : fault;
    received.push({
      path: req.path,
      headers: req.headers,
      raw: req.body,
      body: JSON.parse(req.body || 'null'),
      status,
    });
    if (fault === 'hang') return; // never answers: the sender's timeout must fire
    if (fault === 429) res.setHeader('retry-after', retryAfter);
    if (status === 204) return void res.status(204).end();
    res.status(status).send(status === 200 ? 'ok' : 'error');
  });
  const listening: Listening = await listen(app);
  return {
    url: listening.url,
    received,
    delivered: (path?: string) =>
      received.filter((r) => r.status >= 200 && r.status < 300 && (!path || r.path === path)),
    clearFaults() {
      faults.length = 0;
    },
    /** The next `count` requests fail with `fault`; a 429 says Retry-After `retryAfter` (seconds). */
    failNext(count: number, fault: ReceiverFault, retryAfter = '0') {
      for (let i = 0; i < count; i += 1) faults.push({ fault, retryAfter });
    },
    close: () => listening.close(0),
  };
}
