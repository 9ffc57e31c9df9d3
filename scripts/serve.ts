/**
 * `npm run serve -- <receiver|emitter>`: serves one function under workerd on HOST:PORT.
 * Configuration comes from the environment only (see README, "Configuration").
 */
import { serve } from './serve/launcher';

const name = process.argv[2];
serve(name ?? '')
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'serve failed', error: err.message }));
    process.exit(1);
  });
