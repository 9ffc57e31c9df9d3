/**
 * What stands between a guesser and the password check (OWASP's authentication guidance):
 *
 * - Attempts count per name from one address (5 in 15 minutes) and per address (20), so a stranger
 *   elsewhere cannot lock an operator out; per name from everywhere only as a slow backstop (50),
 *   logged at warn when it bites. Each attempt is recorded before its check (db/operator-auth.ts),
 *   so concurrent guesses cannot slip past the count.
 * - At most two password checks run at once in this isolate (each is tens of milliseconds of the
 *   one thread that also serves intake); a few more may wait briefly for a turn, the rest are
 *   refused at once with 503 instead of queueing.
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

/** The keys an attempt for `name` from `address` counts against. */
export function attemptKeys(name: string, address: string): Record<AttemptKind, string> {
  return { pair: `pair:${address} ${name}`, address: `address:${address}`, user: `user:${name}` };
}

/** Those keys with their limits, as the attempt is recorded. */
export function limitedKeys(keys: Record<AttemptKind, string>): { key: string; max: number }[] {
  return (Object.keys(ATTEMPT_LIMITS) as AttemptKind[]).map((kind) => ({ key: keys[kind], max: ATTEMPT_LIMITS[kind] }));
}

/** The first limit the counts (this attempt included) are over, if any. */
export function overLimit(keys: Record<AttemptKind, string>, counts: Map<string, number>): AttemptKind | undefined {
  return (Object.keys(ATTEMPT_LIMITS) as AttemptKind[]).find((kind) => (counts.get(keys[kind]) ?? 0) > ATTEMPT_LIMITS[kind]);
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
  if (kinds.some((kind) => recentLocal(keys[kind], now).length >= ATTEMPT_LIMITS[kind])) return false;
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
