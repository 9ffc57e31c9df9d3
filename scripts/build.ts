/** `npm run build`: bundles every function with `wrangler deploy --dry-run` into dist/<name>/. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildFunctions } from './serve/build';
import { FUNCTIONS, ROOT } from './serve/functions';

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FUNCTIONS);
buildFunctions(names, true)
  .then(() => execFileSync(process.execPath, [join(ROOT, 'scripts/serve.mjs'), '--build'], { stdio: 'inherit' }))
  .then(() => console.log(`built ${names.map((n) => `dist/${n}/index.js`).join(', ')}, dist/launcher.mjs`))
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
