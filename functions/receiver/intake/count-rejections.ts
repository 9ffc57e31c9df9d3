/** Middleware of the intake route: every refused delivery is counted by the error code of its answer. */
import type { MiddlewareHandler } from 'hono';
import { countRejection, flushSoon } from './rejections';
import type { ReceiverApp } from '../types';

export const countRejections: MiddlewareHandler<ReceiverApp> = async function countRejections(c, next) {
  await next();
  if (c.res.status < 400) return;
  const body = (await c.res
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { code?: unknown } } | undefined;
  countRejection(typeof body?.error?.code === 'string' ? body.error.code : `http_${c.res.status}`);
  let keep: (work: Promise<unknown>) => void;
  try {
    const ctx = c.executionCtx;
    keep = (work) => ctx.waitUntil(work);
  } catch {
    // No execution context (called in-process, as tests do): nothing to keep alive for.
    keep = () => undefined;
  }
  flushSoon(() => c.var.services.db, keep);
};
