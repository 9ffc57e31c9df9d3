/** Builds the dependencies the delivery services take, from a worker's bindings: the one place that does. */
import type { MiddlewareHandler } from 'hono';
import { openDatabase, type Db } from '../../../db/connection';
import type { Logger } from '../../shared/logger';
import type { EmitterBindings, EmitterConfig } from '../config';
import type { EmitterApp } from '../types';
import type { DeliveryDeps } from './deliver';

/** Real clock, real randomness, and the `OPS` binding (tests) or the global fetch for outbound calls. */
export function deliveryDeps(env: EmitterBindings, config: EmitterConfig, logger: Logger, db: Db = openDatabase(env)): DeliveryDeps {
  const ops = env.OPS;
  return {
    db,
    config,
    logger,
    fetch: ops ? (request) => ops.fetch(request) : (request) => fetch(request),
    now: () => Date.now(),
    random: () => Math.random(),
  };
}

/** Middleware (app-wide): puts this request's delivery dependencies in `c.var.deps`, over the request's database. */
export const withDeliveryDeps: MiddlewareHandler<EmitterApp> = async function withDeliveryDeps(c, next) {
  c.set('deps', deliveryDeps(c.env, c.var.config, c.var.logger, c.var.db));
  await next();
};
