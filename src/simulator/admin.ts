import express from 'express';
import { badRequest, notFound, readJsonBody } from '../http/index.ts';
import type { InstanceTable } from './instances.ts';
import { runtimeFaultsSchema } from './runtime-faults.ts';

const param = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join('/') : (value ?? '');

/**
 * The control surface under `/_sim`: runtime faults and counters per instance. Used by tests in other
 * processes, the benchmark's failover run and the demo.
 */
export function createAdminRouter(instances: InstanceTable): express.Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.json({ instances: instances.names() });
  });

  router.get('/:instance/faults', (req, res) => {
    const instance = instances.get(param(req.params.instance));
    res.json({ instance: instance.name, faults: instance.faults, since: instance.since });
  });

  router.put('/:instance/faults', async (req, res) => {
    const name = param(req.params.instance);
    instances.get(name);
    const parsed = runtimeFaultsSchema.safeParse(await readJsonBody(req, 64 * 1024));
    if (!parsed.success) {
      const reasons = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
      );
      throw badRequest(`Invalid simulator faults: ${reasons.join('; ')}`, 'invalid_faults');
    }
    res.json({ instance: name, faults: instances.setFaults(name, parsed.data) });
  });

  router.delete('/:instance/faults', (req, res) => {
    instances.resetFaults(param(req.params.instance));
    res.json({ instance: param(req.params.instance), faults: {} });
  });

  router.get('/:instance/last-request', (req, res) => {
    const { lastRequest } = instances.get(param(req.params.instance));
    if (!lastRequest) throw notFound('This instance has not received a chat request yet.');
    res.json(lastRequest);
  });

  router.get('/:instance/stats', (req, res) => {
    res.json(instances.get(param(req.params.instance)).stats);
  });

  router.delete('/:instance/stats', (req, res) => {
    instances.resetStats(param(req.params.instance));
    res.json(instances.get(param(req.params.instance)).stats);
  });

  return router;
}
