/** Test-only secrets and settings (random per process; never used outside tests). */
import { randomBytes } from 'node:crypto';

const secret = () => `test-${randomBytes(24).toString('hex')}`;

export const TEST_SECRET = secret();
export const TEST_PREVIOUS_SECRET = secret();

/** Bindings the in-workerd tests see as `env`. */
export const TEST_BINDINGS = {
  WEBHOOK_SECRET: TEST_SECRET,
  WEBHOOK_SECRET_PREVIOUS: TEST_PREVIOUS_SECRET,
  WEBHOOK_REQUIRE_SIGNATURE: 'false',
  LOG_LEVEL: 'error',
  DATABASE_URL: 'file:test',
};
