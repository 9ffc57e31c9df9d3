/**
 * POST /__internal/sweep: how the host drives the outbox sweep under plain workerd
 * (which has no cron). Answers 404 unless the caller holds the per-start sweep token.
 */
import { Hono } from 'hono';
import { matchesSecret } from '../../shared/constant-time';
import { notFoundHandler } from '../../shared/http-errors';
import { SWEEP_TOKEN_HEADER } from '../config';
import { sweep } from '../services/sweep';
import type { EmitterApp } from '../types';

export const internal = new Hono<EmitterApp>();

internal.post('/sweep', async function runSweep(c) {
  const expected = c.var.config.EMITTER_SWEEP_TOKEN;
  const given = c.req.header(SWEEP_TOKEN_HEADER);
  if (!expected || !given || !(await matchesSecret(given, expected))) return notFoundHandler(c);
  const summary = await sweep(c.var.deps);
  if (summary.delivered + summary.retrying + summary.dead > 0) c.var.log.sweep = summary;
  else c.var.log.quiet = true;
  return c.json(summary);
});
