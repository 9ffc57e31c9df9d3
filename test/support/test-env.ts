/** Test-only secrets and settings (random per process; never used outside tests). */
import { randomBytes } from 'node:crypto';

const secret = () => `test-${randomBytes(24).toString('hex')}`;

export const TEST_SECRET = secret();
export const TEST_PREVIOUS_SECRET = secret();
/** The read API's own token (TICKETS_API_TOKEN). */
export const TEST_TICKETS_TOKEN = secret();

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
};

/** The emitter's API token in black-box runs (startServe sets it unless a test passes its own, or '' for the generated one). */
export const TEST_EMITTER_API_TOKEN = secret();

/** The header the portal sends to the emitter's /v1 API. */
export const EMITTER_AUTH = { authorization: `Bearer ${TEST_EMITTER_API_TOKEN}` };
