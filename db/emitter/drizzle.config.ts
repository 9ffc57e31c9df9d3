/** drizzle-kit settings for the emitter database (used by `npm run db:generate` only). */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/emitter/schema.ts',
  out: './db/emitter/migrations',
});
