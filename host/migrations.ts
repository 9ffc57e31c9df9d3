/**
 * Applying a function's drizzle-kit migrations (the preflight does it before the host proper
 * starts, so the long-running host never loads drizzle or the Node libSQL client).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { filePathOf } from './sqlite';

/** Applies every pending migration in `migrationsFolder` (idempotent; a no-op when up to date). */
export async function applyMigrations(url: string, authToken: string | undefined, migrationsFolder: string): Promise<void> {
  if (url.startsWith('file:')) mkdirSync(dirname(filePathOf(url)), { recursive: true });
  const client = createClient({ url, authToken });
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
  } finally {
    client.close();
  }
}
