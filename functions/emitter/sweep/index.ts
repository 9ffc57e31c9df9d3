/** The emitter's sweep, as the Cloudflare cron runs it (the host's call is its routes.ts). */
export { runSweepJobs, type SweepJobsSummary } from './sweep-jobs';
