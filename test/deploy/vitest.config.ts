/** The deploy drill (`npm run test:deploy`): the .deb built, installed and run on booted Debian systems. */
import { defineConfig } from 'vitest/config';
import { reporters } from '../support/reporters';

export default defineConfig({
  test: {
    name: 'deploy',
    include: ['test/deploy/**/*.test.ts'],
    root: new URL('../..', import.meta.url).pathname,
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    reporters: reporters('deploy'),
  },
});
