import type { RequestHandler } from 'express';
import type { Config } from '../config/index.ts';
import type { Provider } from '../providers/index.ts';
import type { ModelRouter } from './model-router.ts';

const CACHE_MS = 30_000;
const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * GET /v1/models in OpenAI's list shape: named routes and `providers[].models` keys, plus — for a `*`
 * route, which accepts any name — the models its pass-through providers list themselves (cached 30 s; a
 * provider that does not answer within 2 s is left out rather than failing the list).
 */
export function createModelsHandler(
  config: Config,
  router: ModelRouter,
  providers: ReadonlyMap<string, Provider>,
  now: () => number,
): RequestHandler {
  const wildcard = config.routes.find((route) => route.model === '*');
  const passThrough = [
    ...new Set(wildcard?.targets.filter((target) => !target.model).map((target) => target.provider) ?? []),
  ];
  let cached: { at: number; ids: string[] } | undefined;

  const upstreamIds = async (): Promise<string[]> => {
    if (cached && now() - cached.at < CACHE_MS) return cached.ids;
    const lists = await Promise.all(
      passThrough.map(async (name) => {
        const listed = await providers
          .get(name)
          ?.listModels({ signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
        return listed?.ok ? listed.ids : [];
      }),
    );
    const ids = lists.flat();
    if (lists.some((list) => list.length > 0)) cached = { at: now(), ids };
    return ids;
  };

  return async (_req, res) => {
    const ids = [...new Set([...router.models(), ...(await upstreamIds())])];
    res.json({
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'inferwatch' })),
    });
  };
}
