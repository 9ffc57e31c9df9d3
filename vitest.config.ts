/** Test projects: `workers` runs inside workerd (@cloudflare/vitest-plugin), `node` runs black-box and host-side tests. */
import { defineConfig } from 'vitest/config';
import { reporters } from './test/support/reporters';

export default defineConfig({
  test: {
    projects: ['test/workers/vitest.config.ts', 'test/node/vitest.config.ts'],
    reporters: reporters('unit'),
  },
});
