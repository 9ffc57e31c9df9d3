/**
 * The signed-in area of a function (the desk at /desk, the console at /console): sign-in and
 * sign-out pages, the session cookie, and the checks every page passes through. People sign in
 * with OPERATOR_USERS; machines' credentials (the webhook secret, EMITTER_API_TOKEN) never open
 * these pages, and an operator's session opens nothing else.
 *
 * - Sessions are opaque random cookies, stored server-side as their SHA-256 (sign-out and
 *   restarts behave; several processes agree), HttpOnly, SameSite=Strict, Secure over https,
 *   scoped to the area's path. One ends after OPERATOR_SESSION_IDLE without a request from the
 *   person (a list refreshing itself does not count), after OPERATOR_SESSION_MAX in any case,
 *   and when the operator's entry in OPERATOR_USERS changes or goes.
 * - Sign-in attempts are throttled before the password is checked (sign-in.tsx,
 *   sign-in-throttle.ts); failures are logged without the password.
 * - Every POST must come from this origin (the Origin header, or Referer), else 403.
 * - Without OPERATOR_USERS the whole area answers 404.
 */
import { Hono } from 'hono';
import { serveAsset } from '../platform/http/assets';
import { noRoute } from '../platform/http/http-errors';
import { renderPage } from './ui/layout';
import { LIVE_CLIENT_JS } from './ui/live-client';
import { UI_CSS } from './ui/styles';
import type { AreaOptions, OperatorEnv } from './area-types';
import { LoginPage } from './login-page';
import { requireOperator, signOutHandler } from './session';
import { signInHandler } from './sign-in';

export type { AreaOptions, OperatorEnv } from './area-types';

/** The area's Hono app with sign-in wired; the caller adds its pages to it. */
export function operatorArea<E extends OperatorEnv>(options: AreaOptions): Hono<E> {
  const area = new Hono<E>();
  area.use(async function requireOperatorUsers(c, next) {
    if (c.var.config.OPERATOR_USERS.length === 0) throw noRoute(c);
    await next();
  });
  area.get('/assets/ui.css', (c) => c.body(UI_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  area.get('/assets/htmx.min.js', (c) => serveAsset(c.env, 'htmx.min.js'));
  area.get('/assets/live.js', (c) => c.body(LIVE_CLIENT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  area.get('/login', function loginPage(c) {
    return renderPage(c, <LoginPage options={options} />);
  });
  area.post('/login', signInHandler<E>(options));
  area.use(requireOperator<E>(options));
  area.post('/logout', signOutHandler<E>(options));
  return area;
}
