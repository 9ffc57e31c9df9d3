/** Builds the dependencies the delivery services take, from a worker's bindings. */
import { emitterDb } from '../../../db/emitter/client';
import type { EmitterConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { EmitterBindings } from '../types';
import type { DeliveryDeps } from './deliver';

/** Real clock, real randomness, and the `OPS` binding (tests) or the global fetch for outbound calls. */
export function deliveryDeps(env: EmitterBindings, config: EmitterConfig, logger: Logger): DeliveryDeps {
  const ops = env.OPS;
  return {
    db: emitterDb(env),
    config,
    logger,
    fetch: ops ? (request) => ops.fetch(request) : (request) => fetch(request),
    now: () => Date.now(),
    random: () => Math.random(),
  };
}
