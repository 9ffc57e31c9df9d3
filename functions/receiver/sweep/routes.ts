/** POST /__internal/sweep: the host drives the receiver's periodic work (retention) through it. */
import { Hono } from 'hono';
import { withDatabase } from '../../shared/database-errors';
import { sweepSignInState } from '../../shared/operators/sign-in-sweep';
import { requireSweepToken } from '../../shared/sweep-token';
import { applyRetention } from './retention';
import type { ReceiverApp } from '../types';

export const sweep = new Hono<ReceiverApp>();

sweep.post('/sweep', requireSweepToken, async function runSweep(c) {
  const db = c.var.services.db;
  const summary = await withDatabase(() => applyRetention(db, c.var.config, c.var.services.now()));
  const signIn = await withDatabase(() => sweepSignInState(db, c.var.config, c.var.services.now()));
  if (summary.purged > 0 || (signIn && signIn.sessions + signIn.failures > 0)) c.var.accessLog.sweep = { ...summary, sign_in: signIn };
  else c.var.accessLog.quiet = true;
  return c.json(summary);
});
