/**
 * The operator area as the desk and the console use it: the signed-in area to mount (sign-in,
 * sessions, the throttle), its housekeeping for a function's sweep, and the UI kit its pages are
 * built from. Its settings are in operator-settings.ts, which loads without the pages.
 */
export { operatorArea } from './area';
export { sweepSignInState } from './sign-in-sweep';
export { SIGN_IN_THROTTLED_HELP, SIGN_IN_THROTTLED_METRIC } from './sign-in-throttle';
export { BarChart } from './ui/chart';
export { Badge, DataTable, ErrorPage, Facts, FilterForm, NotFoundPage, Pager } from './ui/components';
export { age, capitalised, queryString, when } from './ui/format';
export { Layout, renderPage } from './ui/layout';
