/**
 * GET /openapi.json (the function's generated document) and GET /docs (Swagger UI for people).
 * Swagger UI's files come from the `swagger-ui-dist` npm package through the ASSETS binding
 * (platform/http/assets.ts), never from a CDN; the page has no inline script,
 * so a strict Content-Security-Policy holds.
 */
import { z } from 'zod';
import { serveAsset, type AssetBindings } from '../http/assets';
import { ApiRoutes } from './api-routes';
import { json, type OpenApiDocument } from './document';

/** Swagger UI's inline styles need 'unsafe-inline' for styles; scripts stay 'self' only. */
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
`;

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p>This page needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
}

const SECURITY_HEADERS = { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

const OPERATIONS = { tags: ['operations'] };

/** The routes, for a function whose document `document()` builds. */
export function apiDocs(document: () => OpenApiDocument): ApiRoutes<{ Bindings: AssetBindings }> {
  const docs = new ApiRoutes<{ Bindings: AssetBindings }>();
  let text: string | undefined;

  docs.route(
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      ...OPERATIONS,
      responses: { 200: json('The OpenAPI 3.1 document.', z.object({ openapi: z.string() }).loose()) },
    },
    function openApiDocument(c) {
      text ??= JSON.stringify(document());
      return c.body(text, 200, { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' });
    },
  );
  docs.route(
    {
      method: 'get',
      path: '/docs',
      summary: 'This document, for people (Swagger UI)',
      ...OPERATIONS,
      responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: z.string() } } } },
    },
    function docsPage(c) {
      return c.html(page(`${document().info.title}: API reference`), 200, SECURITY_HEADERS);
    },
  );
  // Swagger UI's own files: served, not documented.
  docs.undocumented('/docs/init.js', function docsInit(c) {
    return c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', ...SECURITY_HEADERS });
  });
  docs.undocumented('/docs/:asset', function docsAsset(c) {
    return serveAsset(c.env, c.req.param('asset') ?? '');
  });
  return docs;
}
