/** The emitter's credentials as the routes it calls declare them: the security and the signed request's headers. */
export { SIGNED_REQUEST_HEADERS, webhookCredentials } from './security-schemes';
