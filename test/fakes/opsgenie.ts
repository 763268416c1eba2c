import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { type Listening, listen } from '../../src/http/index.ts';
import { answerFault, createFaultQueue } from './faults.ts';

export interface OpsgenieAlert {
  alias: string;
  message: string;
  description?: string;
  priority?: string;
  tags: string[];
  status: 'open' | 'closed';
  /** How many create requests were deduplicated onto it (Opsgenie's `count`). */
  count: number;
  notes: string[];
}
export interface OpsgenieRequest {
  path: string;
  status: number;
  body: Record<string, unknown>;
  /** Opsgenie processes requests asynchronously: a 202 can still fail later (GET /v2/alerts/requests/:id). */
  processed?: 'ok' | 'alert not found';
}

/** The 422 Opsgenie answers for a create request that breaks a field limit, or undefined. */
function invalidAlert(body: Record<string, unknown>): string | undefined {
  const { message, alias, description, tags } = body;
  if (typeof message !== 'string' || message.length === 0) return 'Message can not be empty.';
  if (message.length > 130) return 'Message can not be longer than 130 characters.';
  if (typeof alias === 'string' && alias.length > 512) return 'Alias can not be longer than 512 characters.';
  if (typeof description === 'string' && description.length > 15_000)
    return 'Description can not be longer than 15000 characters.';
  if (Array.isArray(tags) && (tags.length > 20 || tags.some((tag) => String(tag).length > 50)))
    return 'Tags are invalid.';
  return undefined;
}

/**
 * The parts of Opsgenie's Alert API that alerting tools use: create (deduplicated by alias onto the open
 * alert), add note and close by alias. `GenieKey` authentication, its field limits (422), 202 answers
 * with a requestId, and faults on demand (429 with Retry-After, 5xx, hangs).
 */
export async function startOpsgenie(apiKey = 'test-genie-key') {
  const faults = createFaultQueue();
  const requests: OpsgenieRequest[] = [];
  const alerts: OpsgenieAlert[] = [];
  const openAlert = (alias: string) => alerts.find((a) => a.alias === alias && a.status === 'open');
  const anyAlert = (alias: string) => alerts.findLast((a) => a.alias === alias);
  const app = express();
  app.use(express.json({ limit: '1mb' }));

  const handle =
    (apply: (req: Request, body: Record<string, unknown>) => OpsgenieRequest['processed']) =>
    (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const record = (status: number) => {
        const entry: OpsgenieRequest = { path: req.path, status, body };
        requests.push(entry);
        return entry;
      };
      const took = 0.01;
      if (req.headers.authorization !== `GenieKey ${apiKey}`) {
        record(401);
        return void res
          .status(401)
          .json({ message: 'Could not authenticate', took, requestId: randomUUID() });
      }
      const taken = faults.take();
      if (taken.fault !== 'ok') {
        record(taken.fault === 'hang' ? 0 : taken.fault);
        answerFault(res, taken, () => ({ message: 'Error', took, requestId: randomUUID() }));
        return;
      }
      const problem = req.path === '/v2/alerts' ? invalidAlert(body) : undefined;
      if (problem) {
        record(422);
        return void res.status(422).json({
          message: 'Request body is not processable. Please check the errors.',
          errors: { message: problem },
          took,
          requestId: randomUUID(),
        });
      }
      if (req.params.identifier !== undefined && req.query.identifierType !== 'alias') {
        record(400);
        return void res.status(400).json({ message: 'identifierType must be alias here', took });
      }
      record(202).processed = apply(req, body);
      res.status(202).json({ result: 'Request will be processed', took, requestId: randomUUID() });
    };

  app.post(
    '/v2/alerts',
    handle((_req, body) => {
      const alias = String(body.alias ?? body.message);
      const existing = openAlert(alias);
      if (existing) existing.count += 1;
      else
        alerts.push({
          alias,
          message: String(body.message),
          description: body.description as string | undefined,
          priority: body.priority as string | undefined,
          tags: (body.tags as string[] | undefined) ?? [],
          status: 'open',
          count: 1,
          notes: typeof body.note === 'string' ? [body.note] : [],
        });
      return 'ok';
    }),
  );
  app.post(
    '/v2/alerts/:identifier/notes',
    handle((req, body) => {
      const alert = anyAlert(String(req.params.identifier));
      if (!alert) return 'alert not found';
      alert.notes.push(String(body.note ?? ''));
      return 'ok';
    }),
  );
  app.post(
    '/v2/alerts/:identifier/close',
    handle((req, body) => {
      const alert = openAlert(String(req.params.identifier));
      if (!alert) return 'alert not found';
      alert.status = 'closed';
      if (typeof body.note === 'string') alert.notes.push(body.note);
      return 'ok';
    }),
  );

  const listening: Listening = await listen(app);
  return {
    /** What Opsgenie calls the API URL (https://api.opsgenie.com): the paths above are under it. */
    url: listening.url,
    apiKey,
    requests,
    alerts,
    accepted: () => requests.filter((r) => r.status === 202),
    failNext: faults.failNext,
    clearFaults: faults.clear,
    close: () => listening.close(0),
  };
}
