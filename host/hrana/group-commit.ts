/**
 * Group commit for the libSQL endpoint. Self-contained pipelines (no baton, ending in `close`)
 * that arrive in the same turn of the event loop run in one SQLite transaction, each inside its
 * own savepoint (its BEGIN/COMMIT/ROLLBACK become SAVEPOINT/RELEASE/ROLLBACK TO), and are answered
 * only after the one shared COMMIT: the atomicity and isolation of running them one by one, with
 * one fsync for all.
 */
import type Database from 'libsql';
import { EMPTY_RESULT, type PipelineAnswer, type PipelineRequest, type StmtResult } from './protocol';

type Db = InstanceType<typeof Database>;

/** Per-pipeline state while it runs; `grouped` pipelines see their BEGIN/COMMIT as a savepoint. */
export interface RunContext {
  grouped: boolean;
  /** Inside the pipeline's own (virtual) transaction. */
  virtualTx: boolean;
}

export const UNGROUPED: RunContext = { grouped: false, virtualTx: false };

const SAVEPOINT = 'hrana_group_member';
const BEGIN_SQL = /^\s*BEGIN\b/i;
const COMMIT_SQL = /^\s*(COMMIT|END)\b/i;
const ROLLBACK_SQL = /^\s*ROLLBACK\s*(TRANSACTION\s*)?;?\s*$/i;

/**
 * A pipeline can join a group when it opens and closes its own stream (no baton, ends in
 * `close`) and holds no `sequence` (free SQL that could manage transactions itself).
 */
export function groupable(requests: PipelineRequest[]): boolean {
  return requests.length > 0 && requests[requests.length - 1]!.type === 'close' && !requests.some((r) => r.type === 'sequence');
}

/**
 * Inside a group, a member's own transaction control is rewritten onto its savepoint. Returns
 * the result when `sql` was such a statement (and was handled), undefined otherwise.
 */
export function groupedTransactionControl(db: Db, sql: string, ctx: RunContext): StmtResult | undefined {
  if (!ctx.grouped) return undefined;
  if (BEGIN_SQL.test(sql)) {
    if (ctx.virtualTx) throw Object.assign(new Error('cannot start a transaction within a transaction'), { code: 'SQLITE_ERROR' });
    db.exec(`SAVEPOINT ${SAVEPOINT}`);
    ctx.virtualTx = true;
    return EMPTY_RESULT;
  }
  if (COMMIT_SQL.test(sql) || ROLLBACK_SQL.test(sql)) {
    if (!ctx.virtualTx) throw Object.assign(new Error('cannot commit - no transaction is active'), { code: 'SQLITE_ERROR' });
    db.exec(COMMIT_SQL.test(sql) ? `RELEASE ${SAVEPOINT}` : `ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
    ctx.virtualTx = false;
    return EMPTY_RESULT;
  }
  return undefined;
}

/** What the group commit needs from the endpoint: the connection, its lock, and a way to run a pipeline. */
export interface GroupHost {
  db: Db;
  acquire(): Promise<void>;
  release(): void;
  run(requests: PipelineRequest[], ctx: RunContext): unknown[];
}

interface Member {
  requests: PipelineRequest[];
  resolve: (answer: PipelineAnswer) => void;
}

export class GroupCommit {
  #members: Member[] = [];
  #scheduled = false;

  constructor(private readonly host: GroupHost) {}

  /** Queues a self-contained pipeline; resolves once its group has committed (or failed). */
  submit(requests: PipelineRequest[]): Promise<PipelineAnswer> {
    return new Promise((resolve) => {
      this.#members.push({ requests, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Collect every pipeline that arrived in this turn of the event loop, then commit them together.
        setImmediate(() => void this.#flush());
      }
    });
  }

  /**
   * Runs the collected pipelines in one transaction. If the outer transaction is lost (an I/O
   * error rolls it back) or COMMIT fails, every member not yet durable is answered with an error,
   * so its sender retries.
   */
  async #flush(): Promise<void> {
    this.#scheduled = false;
    const group = this.#members;
    this.#members = [];
    const { db } = this.host;
    await this.host.acquire();
    const answered: { resolve: (a: PipelineAnswer) => void; answer: PipelineAnswer }[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      for (const member of group) member.resolve(unavailable(err));
      this.host.release();
      return;
    }
    for (const [index, member] of group.entries()) {
      const ctx: RunContext = { grouped: true, virtualTx: false };
      const results = this.host.run(member.requests, ctx);
      if (ctx.virtualTx && db.inTransaction) db.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
      if (!db.inTransaction) {
        const lost = new Error('the transaction was rolled back by the database');
        for (const done of answered.splice(0)) done.resolve(unavailable(lost));
        member.resolve(unavailable(lost));
        try {
          db.exec('BEGIN IMMEDIATE');
        } catch (err) {
          for (const rest of group.slice(index + 1)) rest.resolve(unavailable(err));
          this.host.release();
          return;
        }
        continue;
      }
      answered.push({ resolve: member.resolve, answer: { status: 200, body: { baton: null, base_url: null, results } } });
    }
    try {
      db.exec('COMMIT');
      for (const done of answered) done.resolve(done.answer);
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const done of answered) done.resolve(unavailable(err));
    }
    this.host.release();
  }
}

function unavailable(err: unknown): PipelineAnswer {
  return { status: 503, body: { message: `database write failed: ${(err as Error).message ?? err}`, code: 'SQLITE_IOERR' } };
}
