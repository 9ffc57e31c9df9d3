/** Builds the worker bundles once before the black-box tests start serve processes. */
import { buildFunctions } from '../../scripts/serve/build';

export default async function setup(): Promise<void> {
  await buildFunctions(['receiver', 'emitter']);
}
