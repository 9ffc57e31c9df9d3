/** Builds the worker bundles and the launcher once, before the black-box tests start serve processes. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildFunctions } from '../../scripts/serve/build';
import { ROOT } from '../../scripts/serve/functions';

export default async function setup(): Promise<void> {
  await buildFunctions(['receiver', 'emitter']);
  execFileSync(process.execPath, [join(ROOT, 'scripts/serve.mjs'), '--build'], { stdio: 'inherit' });
}
