import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * URL name → file in ./client/ and its type. The client is plain ES modules with JSDoc types (checked by
 * client/tsconfig.json), so it ships as written: no build step, nothing to transform at start-up.
 */
export const assetFiles = {
  'app.js': 'text/javascript; charset=utf-8',
  'state.js': 'text/javascript; charset=utf-8',
  'normalize.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'history.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'socket.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
} as const satisfies Record<string, string>;

export type AssetName = keyof typeof assetFiles;

/** Reads every asset once, when the component is created (never at import time). */
export function loadAssets(directory = new URL('./client/', import.meta.url)): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, contentType] of Object.entries(assetFiles)) {
    const body = readFileSync(new URL(name, directory));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, contentType, etag });
  }
  return assets;
}
