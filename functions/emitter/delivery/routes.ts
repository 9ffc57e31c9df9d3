/** POST /__internal/sweep: the host drives the outbox sweep (deliveries due, probes, retention, reconciliation when due) through it. */
import { Hono } from 'hono';
import { withDatabase } from '../../shared/database-errors';
import { sweepSignInState } from '../../shared/operators/sign-in-sweep';
import { requireSweepToken } from '../../shared/sweep-token';
import { reconcileIfDue } from './reconcile';
import { sweep } from './sweep';
import type { EmitterApp } from '../types';

export const sweepRoutes = new Hono<EmitterApp>();

sweepRoutes.post('/sweep', requireSweepToken, async function runSweep(c) {
  const summary = await sweep(c.var.deps);
  const reconciled = await withDatabase(() => reconcileIfDue(c.var.deps));
  if (reconciled) c.var.accessLog.reconciliation = reconciled;
  const signIn = await withDatabase(() => sweepSignInState(c.var.deps.db, c.var.config, c.var.deps.now()));
  if (summary.delivered + summary.retrying + summary.dead + summary.removed > 0 || (signIn && signIn.sessions + signIn.failures > 0)) {
    c.var.accessLog.sweep = { ...summary, sign_in: signIn };
  } else {
    c.var.accessLog.quiet = true;
  }
  return c.json(summary);
});
