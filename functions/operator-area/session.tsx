/**
 * The checks every page of an operator area passes through: a live session under the operator's
 * current entry (else the sign-in page), same-origin for anything but GET, and the session's
 * last-seen time moved on only by the person (a list refreshing itself, or the event stream that
 * keeps it live, does not count).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { deleteSession, findSession, touchSession } from '../../db/operator-auth';
import { withDatabase } from '../platform/database-errors';
import { ErrorPage } from './ui/components';
import { renderPage } from './ui/layout';
import type { AreaOptions, OperatorEnv } from './area-types';
import { sameOrigin } from './same-origin';
import { LoginPage } from './login-page';
import type { OperatorCredential } from './password';
import { tokenDigest } from './session-token';

/** A session's last-seen time is written at most this often (not on every page view). */
const TOUCH_EVERY_MS = 60_000;

/** Middleware: the signed-in operator in `c.var.operator`, or the way to the sign-in page. */
export function requireOperator<E extends OperatorEnv>(options: AreaOptions): MiddlewareHandler<E> {
  const login = `${options.base}/login`;
  return async function requireOperatorSession(c, next) {
    const token = getCookie(c, options.cookie);
    const { config } = c.var;
    const { db } = c.var.services;
    const now = c.var.services.now();
    const digest = token ? await tokenDigest(token) : undefined;
    const limits = { idleMs: config.OPERATOR_SESSION_IDLE, maxMs: config.OPERATOR_SESSION_MAX };
    let session = digest ? await withDatabase(() => findSession(db, digest, now, limits)) : undefined;
    // A session opens pages only under the entry it was made with: a new password, or removing the name, shuts it.
    const entry = session && config.OPERATOR_USERS.find((u: OperatorCredential) => u.name === session!.operator);
    if (session && entry?.fingerprint !== session.credential) {
      await withDatabase(() => deleteSession(db, session!.id));
      session = undefined;
    }
    if (!session) {
      // A list's self-refresh (htmx) must not swap the sign-in page into the list: it asks htmx to go there.
      if (c.req.header('hx-request')) return c.body(null, 200, { 'hx-redirect': login, 'cache-control': 'no-store' });
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(login, 303);
      return renderPage(c, <LoginPage options={options} error="Your session has ended; sign in again." />, 401);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !sameOrigin(c)) {
      c.var.logger.warn('cross-site request refused', { operator: session.operator, path: c.req.path });
      return renderPage(c, <ErrorPage base={options.base} product={options.product} operator={session.operator} title="Refused" detail="This request must come from this site." />, 403);
    }
    // A list refreshing itself every few seconds is not the person: it must not keep an unattended tab signed in.
    const selfRefresh =
      (c.req.header('hx-request') === 'true' && (options.selfRefreshing ?? []).includes(c.req.header('hx-trigger') ?? '')) ||
      (options.streams ?? []).some((path) => c.req.path === `${options.base}${path}`);
    if (!selfRefresh && now - session.lastSeenAt > Math.min(TOUCH_EVERY_MS, limits.idleMs / 4)) await withDatabase(() => touchSession(db, session.id, now));
    c.set('operator', session.operator);
    c.var.accessLog.operator = session.operator;
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
}

/** The POST <area>/logout handler: the session ends on the server, the cookie goes. */
export function signOutHandler<E extends OperatorEnv>(options: AreaOptions) {
  return async function signOut(c: Context<E>): Promise<Response> {
    const token = getCookie(c, options.cookie);
    if (token) await withDatabase(async () => deleteSession(c.var.services.db, await tokenDigest(token)));
    deleteCookie(c, options.cookie, { path: options.base });
    c.var.logger.info('operator signed out', { operator: c.var.operator });
    return c.redirect(`${options.base}/login`, 303);
  };
}
