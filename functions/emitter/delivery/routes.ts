/** POST /__internal/sweep: the host drives every job of the sweep (sweep-jobs.ts) through it. */
import { deliveryDeps } from './deps';
import { Hono } from 'hono';
import { requireSweepToken } from '../../shared/sweep-token';
import { runSweepJobs, sweepDidWork } from './sweep-jobs';
import type { EmitterApp } from '../types';

export const sweepRoutes = new Hono<EmitterApp>();

sweepRoutes.post('/sweep', requireSweepToken, async function runSweep(c) {
  const summary = await runSweepJobs(deliveryDeps(c));
  if (sweepDidWork(summary)) c.var.accessLog.sweep = summary;
  else c.var.accessLog.quiet = true;
  return c.json(summary);
});
