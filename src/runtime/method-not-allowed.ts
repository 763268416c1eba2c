import type { RequestHandler, Router } from 'express';

/** The parts of express's router internals this needs (router@2 `Layer` and `Route`). */
interface RouteLayer {
  route?: { _methods(): string[] };
  match(path: string): boolean;
}

const layersOf = (router: Router) => (router as unknown as { stack: RouteLayer[] }).stack;

/**
 * True when one of the routers has a route or a mounted sub-router for the path, under any method: the
 * embedded router uses it to leave every other path of the host app alone.
 */
export function ownsPath(routers: readonly Router[]): (path: string) => boolean {
  return (path) => routers.some((router) => layersOf(router).some((layer) => layer.match(path)));
}

/**
 * Turns "no route" into 405 with an Allow header when the path exists under another method, so a client
 * that sends GET to /v1/chat/completions learns what is wrong (RFC 9110 §15.5.6). Runs after every router.
 */
export function methodNotAllowed(routers: readonly Router[]): RequestHandler {
  return (req, res, next) => {
    const allowed = new Set<string>();
    for (const router of routers) {
      for (const layer of layersOf(router)) {
        if (layer.route && layer.match(req.path)) {
          for (const method of layer.route._methods()) allowed.add(method.toUpperCase());
        }
      }
    }
    // A route that allows this very method declined the request (an unknown asset, say): that is a 404.
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    res
      .status(405)
      .set('allow', [...allowed].sort().join(', '))
      .json({
        error: {
          message: `${req.method} is not allowed on ${req.path}; use ${[...allowed].sort().join(' or ')}.`,
          type: 'invalid_request_error',
          code: 'method_not_allowed',
          param: null,
        },
      });
  };
}
