import { type Response, Router } from 'express';
import type { Component, RuntimeContext } from '../component.ts';
import { type Asset, loadAssets } from './assets.ts';

/**
 * Strict by construction: scripts and styles only from this origin, no inline code, data only from this
 * origin (fetch and the WebSocket), no framing. The page renders every value with textContent.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface StatusPageSettings {
  grafanaURL: string | null;
  tracesURL: string | null;
  /** True when API calls need a key: the page then asks for one instead of showing errors. */
  apiKeyRequired: boolean;
}

/**
 * The live status page: `/` is a static shell, `/status/*` its assets and settings. The page reads
 * /api/providers, /api/probes, /api/analyses and /api/incidents, then follows /ws/events.
 */
export function createStatusPageComponent(ctx: RuntimeContext): Component {
  const { statusPage, server } = ctx.config;
  if (!statusPage.enabled) return { name: 'status-page' };
  const assets = loadAssets();
  const settings: StatusPageSettings = {
    grafanaURL: statusPage.grafanaURL ?? null,
    tracesURL: statusPage.tracesURL ?? null,
    apiKeyRequired: server.apiKeys.length > 0,
  };
  const router = Router();

  const send = (res: Response, asset: Asset, ifNoneMatch: string | undefined) => {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', asset.etag);
    if (ifNoneMatch === asset.etag) {
      res.status(304).end();
      return;
    }
    res.type(asset.contentType).send(asset.body);
  };

  router.get(['/', '/index.html'], (req, res) => {
    res.setHeader('content-security-policy', contentSecurityPolicy);
    send(res, assets.get('index.html')!, req.headers['if-none-match']);
  });
  router.get('/status/settings.json', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(settings);
  });
  router.get('/status/:file', (req, res, next) => {
    const asset = req.params.file === 'index.html' ? undefined : assets.get(req.params.file);
    if (!asset) return next();
    send(res, asset, req.headers['if-none-match']);
  });
  // Browsers ask for it whatever the page says; an empty answer keeps the log clean.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  return { name: 'status-page', router };
}
