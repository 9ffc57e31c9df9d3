/** Node-side tests: the libSQL endpoint, the host and black-box runs of both functions. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'node',
    include: ['test/node/**/*.test.ts'],
    root: new URL('../..', import.meta.url).pathname,
    globalSetup: ['test/support/build-once.ts'],
    setupFiles: ['test/support/record-responses.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
