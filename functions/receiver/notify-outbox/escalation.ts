/**
 * Escalation: an open high-priority ticket that nobody acknowledged within ESCALATE_AFTER tells
 * ESCALATE_TO (by default the same people) again, then again each ESCALATE_AFTER, at most
 * ESCALATE_MAX times. Acknowledging or closing the ticket stops it (and drops a reminder not yet
 * sent: db/receiver/desk.ts). Each reminder is a notification like the first, in its mail thread.
 */
import { enqueue, enqueueStatements, unacknowledgedHighTickets } from '../../../db/receiver/notifications';
import { configuredChannels } from './channels';
import type { NotifyDeps } from './notify-channel';

/** Puts the reminders that are due in line; answers how many tickets got one. */
export async function queueEscalations(deps: NotifyDeps): Promise<number> {
  const { config } = deps;
  const channels = configuredChannels(config);
  if (config.ESCALATE_MAX === 0 || channels.length === 0) return 0;
  const now = deps.now();
  const due = (await unacknowledgedHighTickets(deps.db, now - config.ESCALATE_AFTER)).filter(
    (t) => t.escalations < config.ESCALATE_MAX && t.createdAt + config.ESCALATE_AFTER * (t.escalations + 1) <= now,
  );
  await enqueue(deps.db, due.flatMap((t) => enqueueStatements(`ticket-${t.id}`, t.id, `escalation-${t.escalations + 1}`, channels, now)));
  return due.length;
}
