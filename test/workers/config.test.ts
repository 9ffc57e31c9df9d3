/** Configuration validation: what refuses to start, and with which message. */
import { describe, expect, it } from 'vitest';
import { EMITTER_CONFIG } from '../../functions/emitter/config';
import { RECEIVER_CONFIG } from '../../functions/receiver/config';
import { ConfigError, loadConfig } from '../../functions/platform/settings/config';

describe('configuration', () => {
  it('refuses short, placeholder and malformed whsec_ secrets, naming the variable only', () => {
    const bad = ['short', 'ligbox-ops-dev-secret', 'please-change-me-please-change-me-00', 'whsec_!!!!not-base64-at-all-but-long-enough!!!'];
    for (const secret of bad) {
      let error: unknown;
      try {
        loadConfig(RECEIVER_CONFIG, { WEBHOOK_SECRET: secret });
      } catch (err) {
        error = err;
      }
      expect(error, secret).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('WEBHOOK_SECRET');
      expect((error as Error).message).not.toContain(secret);
    }
    const key = `whsec_${btoa('k'.repeat(32))}`;
    expect(loadConfig(RECEIVER_CONFIG, { WEBHOOK_SECRET: key }).WEBHOOK_SECRET).toBe(key);
  });

  it('parses the retry schedule and rejects a malformed one', () => {
    const base = { OPS_WEBHOOK_URL: 'http://127.0.0.1:8080/api/v1/webhooks/onboard', OPS_WEBHOOK_SECRET: 'x'.repeat(40) };
    expect(loadConfig(EMITTER_CONFIG, { ...base, OPS_WEBHOOK_RETRY_SCHEDULE: '500ms,2s,1m' }).OPS_WEBHOOK_RETRY_SCHEDULE).toEqual([500, 2000, 60000]);
    expect(() => loadConfig(EMITTER_CONFIG, { ...base, OPS_WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig(EMITTER_CONFIG, { ...base, OPS_WEBHOOK_URL: 'ftp://x' })).toThrow(/OPS_WEBHOOK_URL/);
  });

  it('says why a number setting is refused: not a number, not whole, or out of its range', () => {
    const base = { OPS_WEBHOOK_URL: 'http://127.0.0.1:8080/api/v1/webhooks/onboard', OPS_WEBHOOK_SECRET: 'x'.repeat(40) };
    const refusal = (value: string) => {
      try {
        loadConfig(EMITTER_CONFIG, { ...base, OPS_WEBHOOK_TIMEOUT_MS: value });
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('soon')).toContain('OPS_WEBHOOK_TIMEOUT_MS must be a number');
    expect(refusal('250.5')).toContain('OPS_WEBHOOK_TIMEOUT_MS must be a whole number');
    expect(refusal('50')).toContain('OPS_WEBHOOK_TIMEOUT_MS must be at least 100');
    expect(refusal('999999')).toContain('OPS_WEBHOOK_TIMEOUT_MS must be at most 120000');
    expect(refusal('2500')).toBe('accepted');
  });
});
