/** The notification services' dependencies: a request's (or a sweep's) services, the receiver's settings and the relay. */
import type { Context } from 'hono';
import type { ReceiverApp } from '../types';
import type { NotifyDeps } from './notify-channel';

export function notifyDeps(c: Context<ReceiverApp>): NotifyDeps {
  return { ...c.var.services, config: c.var.config, notify: c.env.NOTIFY };
}
