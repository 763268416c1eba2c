import express from 'express';
import { type Listening, listen } from '../../src/http/index.ts';

type Vector = { metric: Record<string, string>; value: number }[];

/**
 * Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) and Alertmanager API v2 (`/api/v2/alerts`)
 * shapes, answering from a table of PromQL → instant vector. `hang` makes every request wait forever.
 */
export async function startFakePrometheus(
  vectors: Record<string, Vector> = {},
  firing: { labels: Record<string, string>; fingerprint: string }[] = [],
) {
  const queries: string[] = [];
  let hang = false;
  const app = express();
  const waitIfHanging = async () => {
    if (hang) await new Promise((resolve) => setTimeout(resolve, 10_000));
  };
  app.get('/api/v1/query', async (req, res) => {
    queries.push(String(req.query.query));
    await waitIfHanging();
    const time = Number(req.query.time);
    const result = (vectors[String(req.query.query)] ?? []).map((s) => ({
      metric: s.metric,
      value: [time, String(s.value)],
    }));
    res.json({ status: 'success', data: { resultType: 'vector', result } });
  });
  app.get('/api/v1/query_range', async (req, res) => {
    queries.push(String(req.query.query));
    await waitIfHanging();
    const start = Number(req.query.start);
    const result = (vectors[String(req.query.query)] ?? []).map((s) => ({
      metric: s.metric,
      values: [0, 1, 2].map((i) => [start + i * 60, String(s.value * (i + 1))]),
    }));
    res.json({ status: 'success', data: { resultType: 'matrix', result } });
  });
  app.get('/api/v2/alerts', async (_req, res) => {
    await waitIfHanging();
    res.json(firing.map((alert) => ({ ...alert, status: { state: 'active' } })));
  });
  const listening: Listening = await listen(app);
  return {
    url: listening.url,
    queries,
    setHang(value: boolean) {
      hang = value;
    },
    close: () => listening.close(0),
  };
}
