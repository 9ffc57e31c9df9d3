/** `npm run build`: bundles every function with `wrangler deploy --dry-run` into dist/<name>/. */
import { buildFunctions } from './serve/build';
import { FUNCTIONS } from './serve/functions';

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FUNCTIONS);
buildFunctions(names, true)
  .then(() => console.log(`built ${names.map((n) => `dist/${n}/index.js`).join(', ')}`))
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
