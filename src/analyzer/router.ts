import { type Request, Router } from 'express';
import {
  badRequest,
  HttpError,
  matchesAny,
  notFound,
  parseLimit,
  presentedToken,
  readJsonBody,
  serviceUnavailable,
} from '../http/index.ts';
import type { Instruments } from '../telemetry/instruments.ts';
import * as n from '../telemetry/semconv.ts';
import { type AlertGroup, describeIssues, webhookSchema } from './payload.ts';
import type { Acceptance, AnalyzerStore } from './store.ts';

export interface RouterOptions {
  store: AnalyzerStore;
  accept: (group: AlertGroup) => Acceptance;
  webhookToken?: string | undefined;
  maxBodyBytes: number;
  instruments: Instruments;
  onStoreError: (error: unknown) => void;
}

/** Bearer token, or the password of HTTP basic auth (Alertmanager's `basic_auth`), compared in constant time. */
function authorized(req: Request, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^basic\s+/i.test(header)) {
    const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    return matchesAny(decoded.slice(decoded.indexOf(':') + 1), [token]);
  }
  return matchesAny(presentedToken(req.headers), [token]);
}

export function createAnalyzerRouter({
  store,
  accept,
  webhookToken,
  maxBodyBytes,
  instruments,
  onStoreError,
}: RouterOptions): Router {
  const router = Router();

  router.post('/api/alertmanager', async (req, res) => {
    if (!authorized(req, webhookToken))
      throw new HttpError(401, 'Missing or invalid webhook token.', {
        type: 'authentication_error',
        code: 'invalid_webhook_token',
      });
    const body = await readJsonBody(req, maxBodyBytes);
    const parsed = webhookSchema.safeParse(body);
    if (!parsed.success)
      throw badRequest(
        `Invalid Alertmanager payload: ${describeIssues(parsed.error)}`,
        'invalid_alertmanager_payload',
      );
    let acceptance: Acceptance;
    try {
      acceptance = accept(parsed.data);
    } catch (error) {
      // The only case where we want Alertmanager to retry: we could not queue the work durably.
      onStoreError(error);
      throw serviceUnavailable('Could not queue the alert group; retry later.', 'store_unavailable', {
        'retry-after': '5',
      });
    }
    for (const alert of parsed.data.alerts)
      instruments.analyzerAlertsReceived.record(1, { [n.ATTR_ALERT_STATUS]: alert.status });
    res
      .status(acceptance.outcome === 'duplicate' ? 200 : 202)
      .json({ status: acceptance.outcome, key: acceptance.key });
  });

  router.get('/api/analyses', (req, res) => {
    const data = store.analyses(parseLimit(req.query.limit)).map((analysis) => ({
      id: analysis.id,
      groupKey: analysis.groupKey,
      status: analysis.status,
      createdAt: analysis.createdAt,
      repeatOf: analysis.repeatOf,
      alertname: analysis.group.commonLabels.alertname ?? analysis.group.alerts[0]?.labels.alertname,
      alertCount: analysis.group.alerts.length,
      ...analysis.explanation,
    }));
    res.json({ data });
  });

  router.get('/api/analyses/:id', (req, res) => {
    const analysis = store.analysis(req.params.id);
    if (!analysis) throw notFound(`No analysis ${req.params.id}.`);
    res.json({ ...analysis, notifications: store.notifications(analysis.id) });
  });

  return router;
}
