/**
 * The daily digest (DIGEST_AT, HH:MM in TZ): once a day, the open tickets by age. It is put in
 * line by the first sweep at or after that time, and not at all when the receiver was down for
 * the whole of the next three hours (a digest at night is no use). One per day: its id carries the
 * date.
 */
import { enqueue, enqueueStatements } from '../../../db/receiver/notifications';
import { configuredChannels } from './channels';
import { localClock } from './local-clock';
import type { NotifyDeps } from './notify-channel';

const LATE_AFTER_MIN = 180;

/** Puts today's digest in line when its time has come; answers whether it did now. */
export async function queueDigest(deps: NotifyDeps): Promise<boolean> {
  const { config } = deps;
  const channels = configuredChannels(config);
  if (config.DIGEST_AT === undefined || channels.length === 0) return false;
  const now = deps.now();
  const { date, minutes } = localClock(now, config.TZ);
  if (minutes < config.DIGEST_AT || minutes >= config.DIGEST_AT + LATE_AFTER_MIN) return false;
  return (await enqueue(deps.db, enqueueStatements(`digest-${date}`, null, 'digest', channels, now))) > 0;
}
