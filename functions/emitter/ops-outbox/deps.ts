/** The delivery services' dependencies: the request's (or cron run's) services and the emitter's settings. */
import type { Context } from 'hono';
import { createServices } from '../../platform/services';
import type { Logger } from '../../platform/logger';
import type { EmitterBindings, EmitterConfig } from '../config';
import type { EmitterApp } from '../types';
import type { DeliveryDeps } from './deliver';

/** A request's: its services (one database handle, one clock) and the validated settings. */
export function deliveryDeps(c: Context<EmitterApp>): DeliveryDeps {
  return { ...c.var.services, config: c.var.config };
}

/** A cron run's, from the worker's bindings (no request, so services of its own). */
export function cronDeliveryDeps(env: EmitterBindings, config: EmitterConfig, logger: Logger): DeliveryDeps {
  return { ...createServices(env, logger), config };
}
