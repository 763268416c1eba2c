import express from 'express';
import { type Listening, listen } from '../../src/http/index.ts';
import { answerFault, createFaultQueue } from './faults.ts';

export interface TeamsCard {
  type: 'AdaptiveCard';
  version: string;
  body: { type: string; text?: string; color?: string; facts?: { title: string; value: string }[] }[];
  actions?: { type: string; url?: string }[];
}

/** Why Teams would refuse the message (400), or undefined: the envelope Workflows and connectors take. */
function invalid(body: Record<string, unknown>): string | undefined {
  if (body.type !== 'message') return 'type must be "message"';
  const [attachment] = (body.attachments as Record<string, unknown>[] | undefined) ?? [];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
    return 'no adaptive card attached';
  const card = attachment.content as Partial<TeamsCard> | undefined;
  if (card?.type !== 'AdaptiveCard' || !Array.isArray(card.body) || card.body.length === 0)
    return 'the card has no body';
  return undefined;
}

/**
 * A Microsoft Teams Workflows webhook (`POST /workflows/...`): checks the message envelope and the
 * Adaptive Card in it, refuses messages over Teams' 28 KB limit (413), answers 202 as Workflows does,
 * and fails on demand (429 with Retry-After, 5xx, hangs).
 */
export async function startTeams() {
  const faults = createFaultQueue();
  const received: { status: number; bytes: number; card?: TeamsCard }[] = [];
  const app = express();
  app.use(express.text({ type: '*/*', limit: '1mb' }));
  app.post('/workflows/:flow', (req, res) => {
    const raw = String(req.body ?? '');
    const bytes = Buffer.byteLength(raw);
    const taken = faults.take();
    if (taken.fault !== 'ok') {
      received.push({ status: taken.fault === 'hang' ? 0 : taken.fault, bytes });
      answerFault(res, taken, (status) => ({
        error: { code: status === 429 ? 'TooManyRequests' : 'Error' },
      }));
      return;
    }
    if (bytes > 28 * 1024) {
      received.push({ status: 413, bytes });
      return void res.status(413).json({ error: { code: 'MessageSizeTooBig' } });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      received.push({ status: 400, bytes });
      return void res.status(400).json({ error: { code: 'InvalidJson' } });
    }
    const problem = invalid(body);
    if (problem) {
      received.push({ status: 400, bytes });
      return void res.status(400).json({ error: { code: 'InvalidRequestContent', message: problem } });
    }
    const card = (body.attachments as { content: TeamsCard }[])[0]?.content;
    received.push({ status: 202, bytes, ...(card ? { card } : {}) });
    res.status(202).end();
  });
  const listening: Listening = await listen(app);
  return {
    url: `${listening.url}/workflows/oncall`,
    received,
    cards: () => received.filter((r) => r.status === 202).map((r) => r.card as TeamsCard),
    failNext: faults.failNext,
    clearFaults: faults.clear,
    close: () => listening.close(0),
  };
}
