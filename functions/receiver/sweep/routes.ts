/** POST /__internal/sweep: the host drives every job of the receiver's sweep (sweep-jobs.ts) through it. */
import { Hono } from 'hono';
import { requireSweepToken } from '../../platform/http/sweep-token';
import { notifyDeps } from '../notify-outbox';
import { runSweepJobs, sweepDidWork } from './sweep-jobs';
import type { ReceiverApp } from '../types';

export const sweep = new Hono<ReceiverApp>();

sweep.post('/sweep', requireSweepToken, async function runSweep(c) {
  const summary = await runSweepJobs(notifyDeps(c));
  if (sweepDidWork(summary)) c.var.accessLog.sweep = summary;
  else c.var.accessLog.quiet = true;
  return c.json(summary);
});
