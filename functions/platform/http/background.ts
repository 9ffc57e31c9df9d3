/**
 * Work that goes on after the answer (a notification's head start, a live stream's pump): handed
 * to the runtime's waitUntil, which keeps the request alive for it. Where a caller gave no
 * execution context (a test's app.request), the work simply runs on its own.
 */
import type { Context } from 'hono';

export function inBackground(c: Context, work: Promise<unknown>): void {
  let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  ctx?.waitUntil(work);
}
