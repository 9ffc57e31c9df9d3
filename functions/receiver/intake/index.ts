/** What the intake shows beside its route: its rejections' counter, which /metrics reads. */
export { flushRejections, REJECTIONS_METRIC } from './rejections';
