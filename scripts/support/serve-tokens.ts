/**
 * The API tokens a serve process started by the tests or the benchmark runs with (random per
 * process that imports this; never used outside such runs): the emitter's `/v1` token and the
 * receiver's tickets read token, with the header a portal sends.
 */
import { randomBytes } from 'node:crypto';

const token = () => `run-${randomBytes(24).toString('hex')}`;

export const RUN_EMITTER_API_TOKEN = token();
export const RUN_TICKETS_TOKEN = token();

/** The header the portal sends to the emitter's /v1 API. */
export const RUN_EMITTER_AUTH = { authorization: `Bearer ${RUN_EMITTER_API_TOKEN}` };
