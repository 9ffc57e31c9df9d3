/** What the receipts feature shows beside its route: its counter, which /metrics reads. */
export { RECEIPTS_METRIC } from './routes';
