/**
 * The emitter's outbox to Ops, as the rest of the emitter uses it: the services a delivery runs
 * with, sending one message, draining what is due, redelivering by hand, reconciliation, and
 * the document of what it sends.
 */
export { deliverMessage, leaseMs, type DeliveryDeps } from './deliver';
export { cronDeliveryDeps, deliveryDeps } from './deps';
export { drainOutbox, type SweepSummary } from './drain';
export { onboardingWebhook } from './onboarding-webhook';
export { lastReconciliation, reconcile, reconcileIfDue, type ReconcileSummary } from './reconcile';
export { redeliverMany, redeliverOne } from './redeliver';
