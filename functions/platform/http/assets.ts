/**
 * Files from npm packages that pages need (Swagger UI, htmx), read through the ASSETS binding: a
 * read-only view of node_modules that the host gives workerd (a disk service). Only the files
 * named here are ever served; nothing comes from a CDN.
 */
import type { FetchBinding } from '../../../db/connection';
import { apiError } from './http-errors';

export interface AssetBindings {
  ASSETS?: FetchBinding;
}

/** Served name → path under node_modules, and type (`npm run dev` copies these paths for Wrangler's assets). */
export const ASSET_FILES: Record<string, { path: string; type: string }> = {
  'swagger-ui.css': { path: 'swagger-ui-dist/swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { path: 'swagger-ui-dist/swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { path: 'swagger-ui-dist/favicon-32x32.png', type: 'image/png' },
  'htmx.min.js': { path: 'htmx.org/dist/htmx.min.js', type: 'text/javascript; charset=utf-8' },
};

/** The answer for asset `name` (throws 404 in the project's shape when it is not one, or there is no binding). */
export async function serveAsset(env: AssetBindings, name: string): Promise<Response> {
  const file = ASSET_FILES[name];
  if (!file) throw apiError(404, 'not_found', `no asset ${name}`);
  if (!env.ASSETS) throw apiError(404, 'not_found', 'assets are not available here (no ASSETS binding)');
  const res = await env.ASSETS.fetch(new Request(`http://assets/${file.path}`));
  if (!res.ok) throw apiError(404, 'not_found', `no asset ${name}`);
  return new Response(res.body, {
    headers: { 'content-type': file.type, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' },
  });
}
