/** `npm run build [-- name…]`: bundles the functions (wrangler) and the host into dist/. */
import { buildAll } from '../host/build';
import { FUNCTIONS } from '../host/functions';

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FUNCTIONS);
buildAll(names)
  .then(() => console.log(`built ${names.map((n) => `dist/${n}/index.js`).join(', ')}, dist/host.mjs`))
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
