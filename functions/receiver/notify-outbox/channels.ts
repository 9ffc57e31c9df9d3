/** The channels notifications go out on: the ones whose settings are given. */
import type { NotifyChannel } from '../../../db/receiver/schema';
import type { ReceiverConfig } from '../config';

export function configuredChannels(config: Pick<ReceiverConfig, 'NOTIFY_SMTP_URL' | 'NOTIFY_WEBHOOK_URL'>): NotifyChannel[] {
  return [...(config.NOTIFY_SMTP_URL ? (['email'] as const) : []), ...(config.NOTIFY_WEBHOOK_URL ? (['chat'] as const) : [])];
}
