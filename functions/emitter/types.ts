/** The emitter's Hono environment: its bindings and what middleware puts in `c.var`. */
import type { RequestVariables } from '../platform/http/request-context';
import type { EmitterBindings, EmitterConfig } from './config';

export interface EmitterApp {
  Bindings: EmitterBindings;
  Variables: RequestVariables<EmitterConfig> & {
    /** The signed-in operator, on the console's pages. */
    operator: string;
  };
}
