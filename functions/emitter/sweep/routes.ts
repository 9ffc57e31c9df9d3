/** POST /__internal/sweep: the host drives every job of the sweep (sweep-jobs.ts) through it. */
import { deliveryDeps } from '../ops-outbox';
import { Hono } from 'hono';
import { requireSweepToken } from '../../platform/http/sweep-token';
import { runSweepJobs, sweepDidWork } from './sweep-jobs';
import type { EmitterApp } from '../types';

export const sweep = new Hono<EmitterApp>();

sweep.post('/sweep', requireSweepToken, async function runSweep(c) {
  const summary = await runSweepJobs(deliveryDeps(c));
  if (sweepDidWork(summary)) c.var.accessLog.sweep = summary;
  else c.var.accessLog.quiet = true;
  return c.json(summary);
});
