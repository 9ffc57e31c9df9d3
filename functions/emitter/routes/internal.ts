/** POST /__internal/sweep: the host drives the outbox sweep (deliveries due, probes, retention) through it. */
import { Hono } from 'hono';
import { requireSweepToken } from '../../shared/sweep-token';
import { sweep } from '../services/sweep';
import type { EmitterApp } from '../types';

export const internal = new Hono<EmitterApp>();

internal.post('/sweep', requireSweepToken, async function runSweep(c) {
  const summary = await sweep(c.var.deps);
  if (summary.delivered + summary.retrying + summary.dead + summary.removed > 0) c.var.log.sweep = summary;
  else c.var.log.quiet = true;
  return c.json(summary);
});
