/**
 * What a request or a cron run works with, in one object: its database handle, its clock, its
 * randomness, its outbound fetch and its logger. Every route reads them from `c.var.services`
 * and every service takes them as its first argument; nothing else opens a database or reads
 * the time, so a test that moves the clock moves it everywhere.
 */
import { openDatabase, type DatabaseBindings, type Db, type FetchBinding } from '../../db/connection';
import type { Logger } from './logger';

export interface Services {
  db: Db;
  /** Unix milliseconds. */
  now: () => number;
  random: () => number;
  /** Outbound HTTP (the emitter's deliveries; the receiver's notifications). */
  fetch: (request: Request) => Promise<Response>;
  logger: Logger;
}

/** Bindings that stand in for the world in tests; production has none of them. */
export interface ServiceBindings extends DatabaseBindings {
  /** The clock every service reads (the system clock without it). */
  CLOCK?: { now(): number };
  /** Where outbound requests go (the global fetch without it): a fake peer. */
  OUTBOUND?: FetchBinding;
}

/** The services over `env`, for one request or one cron run; `db` when the caller already opened it. */
export function createServices(env: ServiceBindings, logger: Logger): Services {
  const clock = env.CLOCK;
  const outbound = env.OUTBOUND;
  return {
    db: openDatabase(env),
    now: clock ? () => clock.now() : () => Date.now(),
    random: () => Math.random(),
    fetch: outbound ? (request) => outbound.fetch(request) : (request) => fetch(request),
    logger,
  };
}
