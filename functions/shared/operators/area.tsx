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
 * - Sign-in attempts are throttled before the password is checked (sign-in-throttle.ts); failures
 *   are logged without the password.
 * - Every POST must come from this origin (the Origin header, or Referer), else 403.
 * - Without OPERATOR_USERS the whole area answers 404.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type DatabaseBindings } from '../../../db/connection';
import { clearFailures, createSession, deleteSession, findSession, recordAttempt, touchSession, withdrawAttempt } from '../../../db/operator-auth';
import type { AssetBindings } from '../assets';
import { serveAsset } from '../assets';
import { withDatabase } from '../database-errors';
import { readForm } from '../form-request';
import { notFoundHandler } from '../http-errors';
import { clientAddress } from '../peer-address';
import type { TrustedProxy } from '../proxy-settings';
import type { RequestVariables } from '../request-context';
import { ErrorPage } from '../ui/components';
import { Layout, renderPage } from '../ui/layout';
import { UI_CSS } from '../ui/styles';
import { newSessionToken, tokenDigest, verifyPassword, type OperatorCredential } from './password';
import { admitLocally, ATTEMPT_WINDOW_MS, attemptKeys, failureToLog, limitedKeys, overLimit, releaseLocally, withCheckSlot } from './sign-in-throttle';

/** A session's last-seen time is written at most this often (not on every page view). */
const TOUCH_EVERY_MS = 60_000;

interface OperatorSettings {
  OPERATOR_USERS: OperatorCredential[];
  OPERATOR_SESSION_IDLE: number;
  OPERATOR_SESSION_MAX: number;
  PUBLIC_ORIGIN?: string;
  TRUSTED_PROXIES: TrustedProxy[];
}

export interface OperatorEnv {
  Bindings: DatabaseBindings & AssetBindings;
  Variables: RequestVariables<OperatorSettings & { LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' }> & { operator: string };
}

export interface AreaOptions {
  base: '/desk' | '/console';
  product: string;
  cookie: string;
  /** Ids of the elements whose htmx polling refreshes a page by itself: such requests keep no session alive. */
  selfRefreshing?: string[];
}

/** The origin browsers use: PUBLIC_ORIGIN behind a proxy, else the request's own. */
function ownOrigin(c: Context): string {
  return (c.var as { config: OperatorSettings }).config.PUBLIC_ORIGIN ?? new URL(c.req.url).origin;
}

/** True when the request came from this origin (Origin, else Referer); a cross-site POST is refused. */
function sameOrigin(c: Context): boolean {
  const own = ownOrigin(c);
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === own;
  const referer = c.req.header('referer');
  try {
    return referer !== undefined && new URL(referer).origin === own;
  } catch {
    return false;
  }
}

function LoginPage({ options, error, name }: { options: AreaOptions; error?: string; name?: string }) {
  return (
    <Layout base={options.base} product={options.product} title="Sign in">
      <h1>Sign in to the {options.product}</h1>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <form class="stack" method="post" action={`${options.base}/login`}>
        <label>
          Username
          <input name="username" autocomplete="username" required value={name ?? ''} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

/** The area's Hono app with sign-in wired; the caller adds its pages to it. */
export function operatorArea<E extends OperatorEnv>(options: AreaOptions): Hono<E> {
  const area = new Hono<E>();
  const login = `${options.base}/login`;

  area.use(async function requireOperatorUsers(c, next) {
    if (c.var.config.OPERATOR_USERS.length === 0) return notFoundHandler(c);
    await next();
  });

  area.get('/assets/ui.css', (c) => c.body(UI_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  area.get('/assets/htmx.min.js', (c) => serveAsset(c.env, 'htmx.min.js'));

  area.get('/login', function loginPage(c) {
    return renderPage(c, <LoginPage options={options} />);
  });

  area.post('/login', async function signIn(c) {
    if (!sameOrigin(c)) return renderPage(c, <LoginPage options={options} error="This form must be sent from this site." />, 403);
    const form = await readForm(c.req.raw);
    const name = String(form.username ?? '').slice(0, 64);
    const password = String(form.password ?? '');
    const address = clientAddress(c.req.raw, c.var.config.TRUSTED_PROXIES) ?? 'unknown';
    const keys = attemptKeys(name, address);
    const db = c.var.db;
    const now = Date.now();
    const attempt = crypto.randomUUID();
    const refuse = () => {
      c.header('retry-after', String(ATTEMPT_WINDOW_MS / 1000));
      return renderPage(c, <LoginPage options={options} name={name} error="Too many failed sign-ins; try again in 15 minutes." />, 429);
    };
    // Most of a flood stops here, on this isolate's own count, before it costs a database round trip.
    if (!admitLocally(keys, now)) return refuse();
    // Recorded before the check, and taken back in the same batch when over a limit (db/operator-auth.ts).
    const counts = await withDatabase(() => recordAttempt(db, attempt, limitedKeys(keys), now, now - ATTEMPT_WINDOW_MS)).catch((err: unknown) => {
      releaseLocally(keys, now, 'withdrawn');
      throw err;
    });
    const over = overLimit(keys, counts);
    if (over) {
      releaseLocally(keys, now, 'withdrawn');
      // The per-name backstop bites for everyone: worth a person's attention.
      if (over === 'user') c.var.logger.warn('operator name throttled from every address', { operator: name });
      return refuse();
    }
    const credential = c.var.config.OPERATOR_USERS.find((u: OperatorCredential) => u.name === name);
    // An unknown name costs the same hashing as a known one, so timing does not tell which names exist.
    const checked = await withCheckSlot(() => verifyPassword(credential ?? c.var.config.OPERATOR_USERS[0]!, password));
    if (checked === undefined) {
      releaseLocally(keys, now, 'withdrawn');
      await withDatabase(() => withdrawAttempt(db, attempt));
      c.header('retry-after', '1');
      return renderPage(c, <LoginPage options={options} name={name} error="Too many sign-ins at once; try again in a moment." />, 503);
    }
    if (!(checked && credential !== undefined)) {
      const failures = failureToLog(name, address, now);
      if (failures !== undefined) c.var.logger.warn('operator sign-in failed', { operator: name, client_ip: address, known_operator: credential !== undefined, failures });
      return renderPage(c, <LoginPage options={options} name={name} error="Wrong username or password." />, 401);
    }
    releaseLocally(keys, now, 'signed_in');
    const { token, digest } = await newSessionToken();
    await withDatabase(async () => {
      await createSession(db, digest, name, credential.fingerprint, now);
      await clearFailures(db, attempt, keys.pair);
    });
    setCookie(c, options.cookie, token, {
      path: options.base,
      httpOnly: true,
      sameSite: 'Strict',
      secure: ownOrigin(c).startsWith('https:'),
    });
    c.var.logger.info('operator signed in', { operator: name, client_ip: address });
    return c.redirect(options.base, 303);
  });

  const requireOperator: MiddlewareHandler<E> = async function requireOperator(c, next) {
    const token = getCookie(c, options.cookie);
    const db = c.var.db;
    const now = Date.now();
    const digest = token ? await tokenDigest(token) : undefined;
    const limits = { idleMs: c.var.config.OPERATOR_SESSION_IDLE, maxMs: c.var.config.OPERATOR_SESSION_MAX };
    let session = digest ? await withDatabase(() => findSession(db, digest, now, limits)) : undefined;
    // A session opens pages only under the entry it was made with: a new password, or removing the name, shuts it.
    const entry = session && c.var.config.OPERATOR_USERS.find((u: OperatorCredential) => u.name === session!.operator);
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
    const selfRefresh = c.req.header('hx-request') === 'true' && (options.selfRefreshing ?? []).includes(c.req.header('hx-trigger') ?? '');
    if (!selfRefresh && now - session.lastSeenAt > Math.min(TOUCH_EVERY_MS, limits.idleMs / 4)) await withDatabase(() => touchSession(db, session.id, now));
    c.set('operator', session.operator);
    c.var.log.operator = session.operator;
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
  area.use(requireOperator);

  area.post('/logout', async function signOut(c) {
    const token = getCookie(c, options.cookie);
    if (token) await withDatabase(async () => deleteSession(c.var.db, await tokenDigest(token)));
    deleteCookie(c, options.cookie, { path: options.base });
    c.var.logger.info('operator signed out', { operator: c.var.operator });
    return c.redirect(login, 303);
  });

  return area;
}
