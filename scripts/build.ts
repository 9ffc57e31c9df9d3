/**
 * `npm run build [-- name…]`: bundles the functions (wrangler) and the host into dist/, and
 * writes each function's OpenAPI document to dist/openapi/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emitterDocument } from '../functions/emitter/index';
import { receiverDocument } from '../functions/receiver/index';
import type { OpenApiDocument } from '../functions/platform/openapi/document';
import { buildAll } from '../host/build';
import { FUNCTIONS } from '../host/served-functions';
import { ROOT } from '../host/project.mjs';

const DOCUMENTS: Record<string, () => OpenApiDocument> = { receiver: receiverDocument, emitter: emitterDocument };

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FUNCTIONS);
buildAll(names)
  .then(() => {
    mkdirSync(join(ROOT, 'dist/openapi'), { recursive: true });
    for (const name of names) writeFileSync(join(ROOT, 'dist/openapi', `${name}.json`), `${JSON.stringify(DOCUMENTS[name]!(), null, 2)}\n`);
    console.log(`built ${names.map((n) => `dist/${n}/index.js, dist/openapi/${n}.json`).join(', ')}, dist/host.mjs`);
  })
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
