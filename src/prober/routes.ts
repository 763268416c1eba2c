import { Router } from 'express';
import { notFound, parseLimit, serviceUnavailable } from '../http/index.ts';
import type { ProbeHistory } from './history.ts';
import { ProbeCancelledError, type Prober } from './prober.ts';

/** GET /api/probes, GET /api/probes/:name?limit=, POST /api/probes/:name/run. */
export function createProbeRouter(prober: Prober, history: ProbeHistory | undefined, region: string): Router {
  const router = Router();

  router.get('/api/probes', (_req, res) => {
    res.json({ region, data: prober.status() });
  });

  router.get('/api/probes/:name', (req, res) => {
    const { name } = req.params;
    if (!prober.has(name)) throw notFound(`No probe target named "${name}".`, 'probe_not_found');
    const limit = parseLimit(req.query.limit);
    const status = prober.status().find((target) => target.name === name);
    res.json({ region, ...status, history: history?.list(name, limit) ?? [] });
  });

  router.post('/api/probes/:name/run', async (req, res) => {
    const { name } = req.params;
    if (!prober.has(name)) throw notFound(`No probe target named "${name}".`, 'probe_not_found');
    try {
      res.json(await prober.run(name));
    } catch (error) {
      if (error instanceof ProbeCancelledError) throw serviceUnavailable(error.message, 'prober_stopping');
      throw error;
    }
  });

  return router;
}
