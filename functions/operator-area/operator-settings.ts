/**
 * The operator area's settings, which each function with a desk or a console spreads into its
 * schema: who may sign in, and how long a session lasts.
 */
import { z } from 'zod';
import { duration, integer } from '../platform/settings/config';
import { parseOperatorUsers } from './password';

/**
 * OPERATOR_USERS: the people who may sign in to the desk or the console, as comma-separated
 * entries made by `npm run operator-hash` (unset: those pages answer 404).
 */
export const OPERATOR_USERS = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return [];
      try {
        return parseOperatorUsers(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
);

/** OPERATOR_SESSION_IDLE: an operator's session ends after this long without a request from the person. */
export const OPERATOR_SESSION_IDLE = duration('12h');

/** OPERATOR_SESSION_MAX: an operator's session ends this long after sign-in, however busy. */
export const OPERATOR_SESSION_MAX = duration('7d');

/**
 * SIGN_IN_CHECKS_PER_SECOND: password checks this process starts per second, whatever the names
 * and addresses (each is tens of milliseconds of the thread that serves intake); past it a
 * sign-in gets 503 with Retry-After at once. Addresses that signed in recently have half as many
 * again of their own.
 */
export const SIGN_IN_CHECKS_PER_SECOND = integer(8, 1, 1000);

export const OPERATOR_AREA_SETTINGS = { OPERATOR_USERS, OPERATOR_SESSION_IDLE, OPERATOR_SESSION_MAX, SIGN_IN_CHECKS_PER_SECOND };
