/**
 * POST <area>/login, in its steps: the same-origin check; admission under the throttle (this
 * isolate's count, then the process's budget of password checks, then the database's count, all
 * before any hashing: sign-in-throttle.ts); the password check in one of the isolate's check
 * slots; on success a new session cookie.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { addToCounters } from '../../db/metric-counters';
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
import {
  admitLocally,
  ATTEMPT_WINDOW_MS,
  attemptKeys,
  failureToLog,
  limitedKeys,
  nameUnderAttack,
  overLimit,
  releaseLocally,
  rememberSignIn,
  SIGN_IN_THROTTLED_METRIC,
  takeCheckBudget,
  withCheckSlot,
  type AttemptKind,
} from './sign-in-throttle';

interface Attempt {
  id: string;
  name: string;
  address: string;
  keys: Record<AttemptKind, string>;
  at: number;
}

/**
 * Counts the attempt locally, takes a password check from the process's budget, and counts it in
 * the database: `admitted`, `throttled` (a limit of the name or the address; the attempt taken
 * back) or `busy` (no budget this second; nothing was written).
 */
async function admit<E extends OperatorEnv>(c: Context<E>, attempt: Attempt): Promise<'admitted' | 'throttled' | 'busy'> {
  const { keys, at } = attempt;
  // Most of a flood stops here, on this isolate's own count, before it costs a database round trip.
  if (!admitLocally(keys, at)) return 'throttled';
  if (!takeCheckBudget(attempt.address, c.var.config.SIGN_IN_CHECKS_PER_SECOND, at)) {
    releaseLocally(keys, at, 'withdrawn');
    return 'busy';
  }
  // Recorded before the check, and taken back in the same batch when over a limit (db/operator-auth.ts).
  const counts = await withDatabase(() => recordSignInAttempt(c.var.services.db, attempt.id, limitedKeys(keys), at, at - ATTEMPT_WINDOW_MS)).catch((err: unknown) => {
    releaseLocally(keys, at, 'withdrawn');
    throw err;
  });
  if (nameUnderAttack(keys, counts)) await noteNameUnderAttack(c, attempt);
  if (!overLimit(keys, counts)) return 'admitted';
  releaseLocally(keys, at, 'withdrawn');
  return 'throttled';
}

/**
 * Someone is guessing this name from many addresses: counted (the alert reads it) and logged at
 * most once a minute. Its guessers are slowed (overLimit); its owner, from an address without
 * failures, is not.
 */
async function noteNameUnderAttack<E extends OperatorEnv>(c: Context<E>, attempt: Attempt): Promise<void> {
  await withDatabase(() => addToCounters(c.var.services.db, [{ name: SIGN_IN_THROTTLED_METRIC, labels: 'limit="name"', value: 1 }])).catch(() => undefined);
  const attempts = failureToLog(attempt.name, '(every address)', attempt.at);
  if (attempts !== undefined) c.var.logger.warn('operator name guessed from many addresses: its guessers are slowed down', { operator: attempt.name, attempts });
}

/** Gives the signed-in operator a new session and its cookie (HttpOnly, SameSite=Strict, the area's path, Secure over https). */
async function startSession<E extends OperatorEnv>(c: Context<E>, options: AreaOptions, attempt: Attempt, credential: OperatorCredential): Promise<void> {
  releaseLocally(attempt.keys, attempt.at, 'signed_in');
  rememberSignIn(attempt.address, attempt.at);
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

    const admission = await admit(c, attempt);
    if (admission === 'busy') {
      c.header('retry-after', '1');
      return page('Too many sign-ins at once; try again in a moment.', 503);
    }
    if (admission === 'throttled') {
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
