/**
 * The frame of every operator page (desk and console): document head, the stylesheet and htmx
 * served by the worker itself, a header with the operator's name and a sign-out form, and the
 * security headers every page answers with. JSX escapes every value it renders.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';

/** No inline script anywhere; htmx is told not to add inline styles. */
export const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  // same-origin keeps the Origin header on same-origin form posts (the cross-site check reads it).
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface LayoutProps {
  /** `/desk` or `/console`. */
  base: string;
  product: string;
  title: string;
  operator?: string;
  children?: Child;
}

export function Layout({ base, product, title, operator, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>{`${title} · ${product}`}</title>
        <link rel="stylesheet" href={`${base}/assets/ui.css`} />
        <script src={`${base}/assets/htmx.min.js`} defer></script>
        <script src={`${base}/assets/live.js`} defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href={base}>
            {product}
          </a>
          {operator ? (
            <form method="post" action={`${base}/logout`}>
              <span class="muted">Signed in as {operator}</span>{' '}
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** Renders `page` as a complete HTML answer with the page headers. */
export function renderPage(c: Context, page: Child, status: 200 | 400 | 401 | 403 | 404 | 421 | 429 | 503 = 200): Response {
  return c.html(`<!doctype html>${String(page)}`, status, PAGE_HEADERS);
}
