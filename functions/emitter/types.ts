/** The emitter's Hono environment: its bindings and what middleware puts in `c.var`. */
import type { RequestVariables } from '../shared/request-context';
import type { EmitterBindings, EmitterConfig } from './config';
import type { DeliveryDeps } from './delivery/deliver';

export interface EmitterApp {
  Bindings: EmitterBindings;
  Variables: RequestVariables<EmitterConfig> & {
    /** Database, clock, outbound fetch and logger of this request, for the delivery services. */
    deps: DeliveryDeps;
    /** The signed-in operator, on the console's pages. */
    operator: string;
  };
}
