/**
 * Behind a proxy and on separate listeners, in workerd: PUBLIC_ORIGIN for the same-origin check and
 * Secure cookies, TRUSTED_PROXIES for who the client is, and each listener serving only its paths.
 */
import { describe, expect, it } from 'vitest';
import { operatorEntry } from '../../functions/operator-area/password';
import { clientBehindProxies, TRUSTED_PROXIES } from '../../functions/platform/http/proxy-settings';
import { call, ENV, SECRET } from './helpers';

const PASSWORD = 'a long enough password';

describe('PUBLIC_ORIGIN', () => {
  it('is the origin sign-in forms must come from, and makes the cookie Secure when it is https', async () => {
    const bindings = { ...ENV, OPERATOR_USERS: await operatorEntry('erin', PASSWORD), PUBLIC_ORIGIN: 'https://ops-desk.lan', ALLOWED_HOSTS: 'desk.test,ops-desk.lan' };
    const signIn = (origin: string) =>
      call('http://desk.test/desk/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ username: 'erin', password: PASSWORD }).toString(),
        redirect: 'manual',
      }, bindings);
    // Through the proxy the worker sees http://desk.test, the browser says https://ops-desk.lan.
    const viaProxy = await signIn('https://ops-desk.lan');
    expect(viaProxy.status).toBe(303);
    expect(viaProxy.headers.get('set-cookie')).toMatch(/; Secure/);
    expect((await signIn('http://desk.test')).status).toBe(403);
    expect((await signIn('https://evil.example')).status).toBe(403);
  });

  it('is refused at start when it is not an origin', async () => {
    const res = await call('/healthz', {}, { ...ENV, PUBLIC_ORIGIN: 'https://ops-desk.lan/desk' });
    expect(res.status).toBe(500);
  });
});

describe('TRUSTED_PROXIES', () => {
  const proxies = TRUSTED_PROXIES.parse('198.51.100.5, 198.51.100.128/25, ::1');

  it('believes X-Forwarded-For only from a trusted peer, taking the right-most address that is not a proxy', () => {
    expect(clientBehindProxies('198.51.100.5', '203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(clientBehindProxies('198.51.100.5', '203.0.113.1, 203.0.113.9, 198.51.100.200', proxies)).toBe('203.0.113.9');
    expect(clientBehindProxies('::1', '203.0.113.10', proxies)).toBe('203.0.113.10');
    // From anyone else the header is ignored: that peer is the client.
    expect(clientBehindProxies('198.51.100.6', '203.0.113.9', proxies)).toBe('198.51.100.6');
    expect(clientBehindProxies('198.51.100.5', null, proxies)).toBe('198.51.100.5');
  });

  it('refuses an entry that is neither an address nor an IPv4 CIDR', () => {
    expect(TRUSTED_PROXIES.safeParse('198.51.100.0/33').success).toBe(false);
    expect(TRUSTED_PROXIES.safeParse('proxy.lan').success).toBe(false);
  });
});

describe('separate listeners (OPERATOR_PORT)', () => {
  const on = (listener: string, path: string) => call(path, { headers: { 'x-ops-webhook-listener': listener }, redirect: 'manual' });

  it('serves machine endpoints only on the machine listener, and pages and documents only on the operator one', async () => {
    for (const path of ['/healthz', '/metrics']) {
      expect((await on('machine', path)).status).toBe(200);
      expect((await on('operator', path)).status).toBe(404);
    }
    for (const path of ['/docs', '/openapi.json']) {
      expect((await on('operator', path)).status).toBe(200);
      expect((await on('machine', path)).status).toBe(404);
    }
    const intake = await call('/api/v1/webhooks/onboard', { method: 'POST', headers: { 'x-ops-webhook-listener': 'operator', 'x-webhook-secret': SECRET } });
    expect(intake.status).toBe(404);
    // The internal socket answers the host's sweep only.
    expect((await on('internal', '/healthz')).status).toBe(404);
  });
});
