/**
 * What stands between a guesser and the password check (OWASP's authentication guidance):
 *
 * - Attempts count per name from one address (5 in 15 minutes) and per address (20), so a stranger
 *   elsewhere cannot lock an operator out. IPv6 addresses count per /64, the block one host holds.
 * - Per name from everywhere there is a backstop (50), which never refuses a source without
 *   failures of its own for the name: past it, a source that has failed for the name is refused
 *   (one guess per window instead of five), and one that has not is checked as usual. So strangers
 *   at many addresses cannot stop the operator signing in from hers; the name under attack is
 *   logged and counted (`ops_webhook_sign_in_throttled_total{limit="name"}`), and alerted on.
 * - Each attempt is recorded before its check (db/operator-auth.ts), so concurrent guesses cannot
 *   slip past the count.
 * - Password checks are bounded per process and per second (a token bucket), whatever the names
 *   and addresses: each is tens of milliseconds of the one thread that also serves intake. An
 *   attempt past the budget gets 503 with Retry-After at once, before any database round trip. A
 *   share of the budget is kept for addresses that signed in recently, so a flood from strangers
 *   does not crowd out the operators. At most two checks run at once; a few more may wait briefly.
 * - A failed sign-in is logged at most once a minute per name and address, with how many failures
 *   the line stands for, so a flood cannot flood the journal.
 * - The isolate keeps its own count of the attempts it has let through, so a flood is mostly
 *   refused before it costs a database round trip; the database's count stays the one that lets
 *   an attempt through (it sees every process).
 */

export const ATTEMPT_WINDOW_MS = 15 * 60_000;

/** Attempts allowed within the window, per key kind. */
export const ATTEMPT_LIMITS = { pair: 5, address: 20, user: 50 } as const;

export type AttemptKind = keyof typeof ATTEMPT_LIMITS;

/** Attempts refused past a limit that someone should look at (limit="name": a name guessed from many addresses). */
export const SIGN_IN_THROTTLED_METRIC = 'ops_webhook_sign_in_throttled_total';
export const SIGN_IN_THROTTLED_HELP = 'Sign-in attempts past a limit someone should look at; limit="name": a name guessed from many addresses (its guessers are slowed, its owner is not).';

/**
 * The source an address is throttled as: an IPv4 address itself, an IPv6 address by its /64
 * (one host can hold a whole /64, so each of its addresses is not a new source), an IPv4-mapped
 * IPv6 address as its IPv4 address.
 */
export function throttledSource(address: string): string {
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return address;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The keys an attempt for `name` from `address` counts against. */
export function attemptKeys(name: string, address: string): Record<AttemptKind, string> {
  const source = throttledSource(address);
  return { pair: `pair:${source} ${name}`, address: `address:${source}`, user: `user:${name}` };
}

/**
 * Those keys with the rules that refuse the attempt, as the attempt is recorded: over the pair's
 * or the address's limit; over the name's backstop only with a failure of the pair's own before
 * this attempt (its count, this one included, over 1).
 */
export function limitedKeys(keys: Record<AttemptKind, string>): LimitedKey[] {
  return [
    { key: keys.pair, max: ATTEMPT_LIMITS.pair },
    { key: keys.address, max: ATTEMPT_LIMITS.address },
    { key: keys.user, max: ATTEMPT_LIMITS.user, and: { key: keys.pair, max: 1 } },
  ];
}

/** A key with the count past which an attempt is refused, and, when given, a second count that must be past its own too. */
export interface LimitedKey {
  key: string;
  max: number;
  and?: { key: string; max: number };
}

/** The first rule the counts (this attempt included) break, if any (see {@link limitedKeys}). */
export function overLimit(keys: Record<AttemptKind, string>, counts: Map<string, number>): AttemptKind | undefined {
  const count = (kind: AttemptKind) => counts.get(keys[kind]) ?? 0;
  if (count('pair') > ATTEMPT_LIMITS.pair) return 'pair';
  if (count('address') > ATTEMPT_LIMITS.address) return 'address';
  if (count('user') > ATTEMPT_LIMITS.user && count('pair') > 1) return 'user';
  return undefined;
}

/** Whether the name has had more attempts from everywhere than its backstop: someone is guessing it. */
export function nameUnderAttack(keys: Record<AttemptKind, string>, counts: Map<string, number>): boolean {
  return (counts.get(keys.user) ?? 0) > ATTEMPT_LIMITS.user;
}

/** How long an address that signed in counts as known. */
const KNOWN_FOR_MS = 30 * 86_400_000;
const KNOWN_ADDRESSES = 10_000;

/**
 * Checks that may start back to back. Each holds the thread that serves intake for tens of
 * milliseconds, so a burst of them is what an intake waits behind: two (a person, and one more).
 */
export const CHECK_BURST = 2;

/** A token bucket: `rate` tokens a second, holding at most {@link CHECK_BURST}. */
export class CheckBudget {
  #tokens: number | undefined;
  #at = 0;
  /** Takes one token at `now` (milliseconds) if there is one; a clock that went back refills nothing. */
  take(now: number, rate: number): boolean {
    const capacity = Math.min(rate, CHECK_BURST);
    this.#tokens = Math.min(capacity, (this.#tokens ?? capacity) + (Math.max(0, now - this.#at) / 1000) * rate);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

const strangersBudget = new CheckBudget();
const knownBudget = new CheckBudget();
/** Per source, when someone last signed in from it (this isolate's memory, oldest first). */
const knownSources = new Map<string, number>();

/**
 * Whether this process may start one more password check now, for an attempt from `address`,
 * with `perSecond` checks a second (SIGN_IN_CHECKS_PER_SECOND): a source that signed in recently
 * draws on a share of its own first (half as many again), so strangers cannot crowd it out.
 */
export function takeCheckBudget(address: string, perSecond: number, now: number): boolean {
  const known = knownSources.get(throttledSource(address));
  if (known !== undefined && now - known < KNOWN_FOR_MS && knownBudget.take(now, Math.max(1, Math.floor(perSecond / 2)))) return true;
  return strangersBudget.take(now, perSecond);
}

/** Remembers that someone signed in from `address`: its later attempts draw on the known share of the budget. */
export function rememberSignIn(address: string, now: number): void {
  const source = throttledSource(address);
  knownSources.delete(source);
  if (knownSources.size >= KNOWN_ADDRESSES) knownSources.delete(knownSources.keys().next().value!);
  knownSources.set(source, now);
}

const MAX_CONCURRENT_CHECKS = 2;
const MAX_WAITING_CHECKS = 4;
const MAX_WAIT_MS = 1000;

let checksRunning = 0;
const waitingForCheck: Array<() => void> = [];

/**
 * Runs `check` when one of the isolate's two check slots is free; undefined when it could not
 * get one soon (the caller answers 503 Retry-After).
 */
export async function withCheckSlot<T>(check: () => Promise<T>): Promise<T | undefined> {
  if (checksRunning >= MAX_CONCURRENT_CHECKS) {
    if (waitingForCheck.length >= MAX_WAITING_CHECKS) return undefined;
    const turn = await new Promise<boolean>((resolve) => {
      const take = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waitingForCheck.splice(waitingForCheck.indexOf(take), 1);
        resolve(false);
      }, MAX_WAIT_MS);
      waitingForCheck.push(take);
    });
    if (!turn) return undefined;
  } else {
    checksRunning += 1;
  }
  try {
    return await check();
  } finally {
    // A waiting check takes this slot over (the count stays); otherwise the slot is freed.
    const next = waitingForCheck.shift();
    if (next) next();
    else checksRunning -= 1;
  }
}

const FAILURE_LOG_EVERY_MS = 60_000;
const FAILURE_LOG_KEYS = 1000;
const failureLines = new Map<string, { since: number; unlogged: number }>();

/**
 * Whether to log this failure now, and how many failures (this one included) the line stands for;
 * undefined while a line for the same name and address was written within the last minute.
 */
export function failureToLog(name: string, address: string, now: number): number | undefined {
  const key = `${address} ${name}`;
  const seen = failureLines.get(key);
  if (seen && now - seen.since < FAILURE_LOG_EVERY_MS) {
    seen.unlogged += 1;
    return undefined;
  }
  if (failureLines.size >= FAILURE_LOG_KEYS) failureLines.delete(failureLines.keys().next().value!);
  failureLines.delete(key);
  failureLines.set(key, { since: now, unlogged: 0 });
  return (seen?.unlogged ?? 0) + 1;
}

const LOCAL_KEYS = 10_000;
/** Per key, when this isolate let an attempt through (still being checked, or failed), oldest first. */
const localAttempts = new Map<string, number[]>();

function recentLocal(key: string, now: number): number[] {
  const times = (localAttempts.get(key) ?? []).filter((t) => now - t < ATTEMPT_WINDOW_MS);
  if (times.length === 0) localAttempts.delete(key);
  else localAttempts.set(key, times);
  return times;
}

/**
 * Whether this isolate's own count leaves room for one more attempt under every key; if so the
 * attempt is counted here (give it back with {@link releaseLocally} unless it fails).
 */
export function admitLocally(keys: Record<AttemptKind, string>, now: number): boolean {
  const kinds = Object.keys(ATTEMPT_LIMITS) as AttemptKind[];
  const full = (kind: AttemptKind) => recentLocal(keys[kind], now).length >= ATTEMPT_LIMITS[kind];
  // The name's backstop refuses only a source with failures of its own (see limitedKeys).
  if (full('pair') || full('address') || (full('user') && recentLocal(keys.pair, now).length >= 1)) return false;
  for (const kind of kinds) {
    if (!localAttempts.has(keys[kind]) && localAttempts.size >= LOCAL_KEYS) localAttempts.delete(localAttempts.keys().next().value!);
    localAttempts.set(keys[kind], [...recentLocal(keys[kind], now), now]);
  }
  return true;
}

/** Gives back an attempt admitted at `at` (refused by the database, not checked, or a success, which also forgets the pair's failures). */
export function releaseLocally(keys: Record<AttemptKind, string>, at: number, outcome: 'withdrawn' | 'signed_in'): void {
  for (const kind of Object.keys(ATTEMPT_LIMITS) as AttemptKind[]) {
    const times = localAttempts.get(keys[kind]);
    if (!times) continue;
    if (kind === 'pair' && outcome === 'signed_in') localAttempts.delete(keys[kind]);
    else times.splice(times.indexOf(at), 1);
  }
}
