/** Builds the worker bundles and the host bundle once, before the black-box tests start serve processes. */
import { buildHostBundle } from '../../host/bundle.mjs';
import { buildFunctions } from '../../host/build';

export default async function setup(): Promise<void> {
  await buildFunctions(['receiver', 'emitter']);
  await buildHostBundle();
}
