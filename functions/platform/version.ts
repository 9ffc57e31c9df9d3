/** The project's version and the User-Agent deliveries carry. */
import pkg from '../../package.json';

export const VERSION: string = pkg.version;
export const USER_AGENT = `ops-webhook-emitter/${VERSION} (onboarding portal to Ops)`;
