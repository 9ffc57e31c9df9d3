/**
 * The receiver's notifications, as the rest of the receiver uses them: which channels are on,
 * the dependencies, one pass over what is due, escalations and the digest for the sweep.
 */
export { configuredChannels } from './channels';
export { notifyDeps } from './deps';
export { queueDigest } from './digest';
export { drainNotifications, type SweepSummary } from './drain';
export { queueEscalations } from './escalation';
export type { NotifyDeps } from './notify-channel';
