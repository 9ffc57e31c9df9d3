/** drizzle-kit settings for the receiver database (used by `npm run db:generate` only). */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/receiver/schema.ts',
  out: './db/receiver/migrations',
});
