/**
 * POST <area>/login, in its steps: the same-origin check; admission under the throttle (this
 * isolate's count, then the database's, both before any hashing: sign-in-throttle.ts); the
 * password check in one of the isolate's check slots; on success a new session cookie.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { clearFailures, createSession, recordSignInAttempt, withdrawAttempt } from '../../db/operator-auth';
import { withDatabase } from '../platform/database-errors';
import { readForm } from '../platform/http/form-request';
import { clientAddress } from '../platform/http/peer-address';
import { renderPage } from './ui/layout';
import type { AreaOptions, OperatorEnv } from './area-types';
import { ownOrigin, sameOrigin } from './same-origin';
import { LoginPage } from './login-page';
import { verifyPassword, type OperatorCredential } from './password';
import { newSessionToken } from './session-token';
import { admitLocally, ATTEMPT_WINDOW_MS, attemptKeys, failureToLog, limitedKeys, overLimit, releaseLocally, withCheckSlot, type AttemptKind } from './sign-in-throttle';

interface Attempt {
  id: string;
  name: string;
  address: string;
  keys: Record<AttemptKind, string>;
  at: number;
}

/** Counts the attempt locally and in the database; false (the attempt taken back) when a limit is reached. */
async function admit<E extends OperatorEnv>(c: Context<E>, attempt: Attempt): Promise<boolean> {
  const { keys, at } = attempt;
  // Most of a flood stops here, on this isolate's own count, before it costs a database round trip.
  if (!admitLocally(keys, at)) return false;
  // Recorded before the check, and taken back in the same batch when over a limit (db/operator-auth.ts).
  const counts = await withDatabase(() => recordSignInAttempt(c.var.services.db, attempt.id, limitedKeys(keys), at, at - ATTEMPT_WINDOW_MS)).catch((err: unknown) => {
    releaseLocally(keys, at, 'withdrawn');
    throw err;
  });
  const over = overLimit(keys, counts);
  if (!over) return true;
  releaseLocally(keys, at, 'withdrawn');
  // The per-name backstop bites for everyone: worth a person's attention.
  if (over === 'user') c.var.logger.warn('operator name throttled from every address', { operator: attempt.name });
  return false;
}

/** Gives the signed-in operator a new session and its cookie (HttpOnly, SameSite=Strict, the area's path, Secure over https). */
async function startSession<E extends OperatorEnv>(c: Context<E>, options: AreaOptions, attempt: Attempt, credential: OperatorCredential): Promise<void> {
  releaseLocally(attempt.keys, attempt.at, 'signed_in');
  const { token, digest } = await newSessionToken();
  await withDatabase(async () => {
    await createSession(c.var.services.db, digest, attempt.name, credential.fingerprint, attempt.at);
    await clearFailures(c.var.services.db, attempt.id, attempt.keys.pair);
  });
  setCookie(c, options.cookie, token, { path: options.base, httpOnly: true, sameSite: 'Strict', secure: ownOrigin(c).startsWith('https:') });
}

/** The POST <area>/login handler. */
export function signInHandler<E extends OperatorEnv>(options: AreaOptions) {
  return async function signIn(c: Context<E>): Promise<Response> {
    if (!sameOrigin(c)) return renderPage(c, <LoginPage options={options} error="This form must be sent from this site." />, 403);
    const form = await readForm(c.req.raw);
    const name = String(form.username ?? '').slice(0, 64);
    const password = String(form.password ?? '');
    const address = clientAddress(c.req.raw, c.var.config.TRUSTED_PROXIES) ?? 'unknown';
    const attempt: Attempt = { id: crypto.randomUUID(), name, address, keys: attemptKeys(name, address), at: c.var.services.now() };
    const page = (error: string, status: 401 | 429 | 503) => renderPage(c, <LoginPage options={options} name={name} error={error} />, status);

    if (!(await admit(c, attempt))) {
      c.header('retry-after', String(ATTEMPT_WINDOW_MS / 1000));
      return page('Too many failed sign-ins; try again in 15 minutes.', 429);
    }
    const credential = c.var.config.OPERATOR_USERS.find((u: OperatorCredential) => u.name === name);
    // An unknown name costs the same hashing as a known one, so timing does not tell which names exist.
    const checked = await withCheckSlot(() => verifyPassword(credential ?? c.var.config.OPERATOR_USERS[0]!, password));
    if (checked === undefined) {
      releaseLocally(attempt.keys, attempt.at, 'withdrawn');
      await withDatabase(() => withdrawAttempt(c.var.services.db, attempt.id));
      c.header('retry-after', '1');
      return page('Too many sign-ins at once; try again in a moment.', 503);
    }
    if (!checked || credential === undefined) {
      const failures = failureToLog(name, address, attempt.at);
      if (failures !== undefined) c.var.logger.warn('operator sign-in failed', { operator: name, client_ip: address, known_operator: credential !== undefined, failures });
      return page('Wrong username or password.', 401);
    }
    await startSession(c, options, attempt, credential);
    c.var.logger.info('operator signed in', { operator: name, client_ip: address });
    return c.redirect(options.base, 303);
  };
}
