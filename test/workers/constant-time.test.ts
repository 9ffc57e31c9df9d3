import { fc, test as property } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { matchesSecret } from '../../functions/platform/constant-time';

const SECRET = 'a-configured-secret-0123456789abcdef';

describe('matchesSecret', () => {
  it('accepts exactly the configured secret, current or previous', () => {
    expect(matchesSecret(SECRET, SECRET)).toBe(true);
    expect(matchesSecret('the-previous-one-0123456789', SECRET, 'the-previous-one-0123456789')).toBe(true);
    expect(matchesSecret('çà-ünïcødé-secret-✓', 'çà-ünïcødé-secret-✓')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a prefix', SECRET.slice(0, -1)],
    ['a longer value that starts with it', `${SECRET}x`],
    ['the secret repeated', SECRET + SECRET],
    ['the last byte changed', `${SECRET.slice(0, -1)}g`],
    ['the first byte changed', `b${SECRET.slice(1)}`],
    ['another case', SECRET.toUpperCase()],
  ])('refuses %s', (_, candidate) => {
    expect(matchesSecret(candidate, SECRET)).toBe(false);
    expect(matchesSecret(candidate, SECRET, 'some-other-secret-0123456789')).toBe(false);
  });

  property.prop([fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 80 })], { seed: 20261130, numRuns: 500 })(
    'agrees with plain equality for any pair of strings',
    (candidate, secret) => {
      expect(matchesSecret(candidate, secret)).toBe(candidate === secret || new TextEncoder().encode(candidate).join() === new TextEncoder().encode(secret).join());
    },
  );
});
