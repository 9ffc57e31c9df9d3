/** The receiver's Hono environment: its bindings and what middleware puts in `c.var`. */
import type { RequestVariables } from '../platform/http/request-context';
import type { ReceiverBindings, ReceiverConfig } from './config';

export interface ReceiverApp {
  Bindings: ReceiverBindings;
  Variables: RequestVariables<ReceiverConfig> & {
    /** The raw request body, read once by the authentication middleware (empty for a route without one). */
    rawBody: string;
    /** The signed-in operator, on the desk's pages. */
    operator: string;
  };
}
