/**
 * GET /desk/live?since=<version>: the desk's server-sent events. The stream asks the database for
 * the desk's version a few times a second and sends `changed` when it moved from the one the page
 * was rendered with; the open pages then fetch their
 * fresh fragments (operator-area/ui/live-client.ts). A quiet stream sends a comment every 15 s,
 * so a dead connection is noticed. It ends after two minutes and the browser reconnects (after
 * `retry`), through the sign-in check again: a signed-out or expired session stops getting
 * events within two minutes, and holding the stream never keeps a session alive (the area's
 * `streams`). A reader that does not read is not written to: the stream holds no backlog.
 */
import type { Context } from 'hono';
import { deskVersion } from '../../../db/receiver/desk';
import { inBackground } from '../../platform/http/background';
import type { ReceiverApp } from '../types';

const POLL_MS = 250;
const KEEP_ALIVE_TICKS = 60;
const LIFETIME_TICKS = (2 * 60_000) / POLL_MS;
const RECONNECT_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function liveStream(c: Context<ReceiverApp>): Promise<Response> {
  const { db, logger } = c.var.services;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(undefined, undefined, { highWaterMark: 4 });
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let open = true;
  const send = async (text: string) => {
    // Backpressure: nothing is queued for a reader that is not reading (the next change says it all).
    if (!open || (writer.desiredSize ?? 0) <= 0) return;
    await writer.write(encoder.encode(text)).catch(() => {
      open = false;
    });
  };

  async function pump(): Promise<void> {
    // Compared with what the page was rendered from (`since`), or what a reconnecting browser last
    // heard (Last-Event-ID): a change in between is sent at once, never lost in the gap.
    const current = await deskVersion(db).catch(() => '');
    let last = c.req.header('last-event-id') ?? c.req.query('since') ?? current;
    await send(`retry: ${RECONNECT_MS}\nevent: ready\ndata: ${current}\n\n`);
    if (current !== '' && current !== last) {
      last = current;
      await send(`id: ${current}\nevent: changed\ndata: ${current}\n\n`);
    }
    for (let tick = 1; open && tick <= LIFETIME_TICKS; tick++) {
      await sleep(POLL_MS);
      const version = await deskVersion(db).catch(() => last);
      if (version !== last) {
        last = version;
        await send(`id: ${version}\nevent: changed\ndata: ${version}\n\n`);
      } else if (tick % KEEP_ALIVE_TICKS === 0) {
        await send(': still here\n\n');
      }
    }
    open = false;
    await writer.close().catch(() => undefined);
  }
  inBackground(c, pump().catch((err: Error) => logger.warn('desk live stream ended', { error: err.message })));
  return new Response(readable, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
}
