/** Test-only secrets and settings (random per process; never used outside tests). */
import { randomBytes } from 'node:crypto';
import { RUN_EMITTER_API_TOKEN, RUN_EMITTER_AUTH, RUN_TICKETS_TOKEN } from '../../scripts/support/serve-tokens';

const secret = () => `test-${randomBytes(24).toString('hex')}`;

export const TEST_SECRET = secret();
export const TEST_PREVIOUS_SECRET = secret();
/** The read API's own token (TICKETS_API_TOKEN): the one serve processes get, so black-box tests can read. */
export const TEST_TICKETS_TOKEN = RUN_TICKETS_TOKEN;

/** Bindings the in-workerd tests see as `env`. */
export const TEST_BINDINGS = {
  WEBHOOK_SECRET: TEST_SECRET,
  WEBHOOK_SECRET_PREVIOUS: TEST_PREVIOUS_SECRET,
  WEBHOOK_REQUIRE_SIGNATURE: 'false',
  LOG_LEVEL: 'error',
  DATABASE_URL: 'file:test',
  // The names the tests address the workers by (app.request's default is localhost).
  TICKETS_API_TOKEN: TEST_TICKETS_TOKEN,
  ALLOWED_HOSTS: 'localhost,127.0.0.1,desk.test,emitter.test',
  // The process's budget of password checks has its own tests (sign-in-throttle, sign-in-serve); here sign-ins run back to back.
  SIGN_IN_CHECKS_PER_SECOND: '1000',
};

/** The emitter's API token in black-box runs (startServe sets it unless a test passes its own, or '' for the generated one). */
export const TEST_EMITTER_API_TOKEN = RUN_EMITTER_API_TOKEN;

/** The header the portal sends to the emitter's /v1 API. */
export const EMITTER_AUTH = RUN_EMITTER_AUTH;
