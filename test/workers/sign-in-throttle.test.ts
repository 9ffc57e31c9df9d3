/**
 * The sign-in throttle's rules, as functions: the source an address counts as (IPv6 per /64), the
 * name's backstop that never refuses a source without failures of its own, and the process's
 * budget of password checks on a held clock.
 */
import { describe, expect, it } from 'vitest';
import { attemptKeys, ATTEMPT_LIMITS, CHECK_BURST, CheckBudget, limitedKeys, nameUnderAttack, overLimit, throttledSource } from '../../functions/operator-area/sign-in-throttle';

describe('the source an address is throttled as', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['fe80::1', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, source) => {
    expect(throttledSource(address)).toBe(source);
  });

  it('keeps what is not an address as it is (one key, never a crash)', () => {
    expect(throttledSource('unknown')).toBe('unknown');
    expect(throttledSource('2001:db8::zz')).toBe('2001:db8::zz');
  });

  it('puts two addresses of one /64 under one key, and another /64 under another', () => {
    expect(attemptKeys('alice', '2001:db8:1:2::a').address).toBe(attemptKeys('alice', '2001:db8:1:2::b').address);
    expect(attemptKeys('alice', '2001:db8:1:2::a').address).not.toBe(attemptKeys('alice', '2001:db8:1:3::a').address);
  });
});

describe("the name's backstop", () => {
  const keys = attemptKeys('alice', '192.0.2.50');
  const counts = (pair: number, address: number, user: number) =>
    new Map([
      [keys.pair, pair],
      [keys.address, address],
      [keys.user, user],
    ]);

  it('lets a source with no failures of its own through, past the backstop, and says the name is under attack', () => {
    expect(overLimit(keys, counts(1, 1, ATTEMPT_LIMITS.user + 30))).toBeUndefined();
    expect(nameUnderAttack(keys, counts(1, 1, ATTEMPT_LIMITS.user + 30))).toBe(true);
  });

  it('slows a guesser down past the backstop: one try per window', () => {
    expect(overLimit(keys, counts(2, 2, ATTEMPT_LIMITS.user + 1))).toBe('user');
    expect(overLimit(keys, counts(2, 2, ATTEMPT_LIMITS.user))).toBeUndefined();
  });

  it('keeps the pair and address limits as they were', () => {
    expect(overLimit(keys, counts(ATTEMPT_LIMITS.pair + 1, 6, 6))).toBe('pair');
    expect(overLimit(keys, counts(1, ATTEMPT_LIMITS.address + 1, 1))).toBe('address');
    expect(nameUnderAttack(keys, counts(5, 5, ATTEMPT_LIMITS.user))).toBe(false);
  });

  it('gives the database the same rule: the name key refuses only with the pair past one', () => {
    expect(limitedKeys(keys)).toEqual([
      { key: keys.pair, max: ATTEMPT_LIMITS.pair },
      { key: keys.address, max: ATTEMPT_LIMITS.address },
      { key: keys.user, max: ATTEMPT_LIMITS.user, and: { key: keys.pair, max: 1 } },
    ]);
  });
});

describe("the process's budget of password checks", () => {
  it('allows a burst of two, then refills at the rate', () => {
    const budget = new CheckBudget();
    const at = 1_000_000;
    const burst = Array.from({ length: 10 }, () => budget.take(at, 8));
    expect(burst.filter(Boolean)).toHaveLength(CHECK_BURST);
    expect(budget.take(at + 100, 8)).toBe(false);
    expect(budget.take(at + 125, 8)).toBe(true);
    expect(budget.take(at + 125, 8)).toBe(false);
    // A quiet minute holds no more than the burst; over a second, the rate.
    expect(Array.from({ length: 20 }, () => budget.take(at + 60_000, 8)).filter(Boolean)).toHaveLength(CHECK_BURST);
    const second = Array.from({ length: 1000 }, (_, ms) => budget.take(at + 60_000 + ms + 1, 8));
    expect(second.filter(Boolean).length).toBeLessThanOrEqual(8);
    expect(second.filter(Boolean).length).toBeGreaterThanOrEqual(7);
  });

  it('refills nothing when the clock goes back refills nothing', () => {
    const budget = new CheckBudget();
    budget.take(10_000, 4);
    budget.take(10_000, 4);
    expect(budget.take(5_000, 4)).toBe(false);
    expect(budget.take(10_100, 4)).toBe(false);
    expect(budget.take(10_250, 4)).toBe(true);
  });

  it('refuses a rate of one after one check a second', () => {
    const budget = new CheckBudget();
    expect(budget.take(0, 1)).toBe(true);
    expect(budget.take(500, 1)).toBe(false);
    expect(budget.take(1000, 1)).toBe(true);
  });
});
