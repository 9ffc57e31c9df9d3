/**
 * Runs SQL statements for the endpoint on its one libSQL connection: a prepared-statement cache
 * (hot paths send constant SQL texts, so most statements are prepared once), execution with
 * Hrana's result shape, batches with step conditions, and `describe`.
 */
import type Database from 'libsql';
import { bindParameters, encodeValue, ProtocolError, toHranaError, type BatchCond, type HranaError, type HranaStmt, type StmtResult } from './protocol';

type Db = InstanceType<typeof Database>;
type Stmt = ReturnType<Db['prepare']>;

export interface BatchOutcome {
  step_results: (StmtResult | null)[];
  step_errors: (HranaError | null)[];
}

/** Statements that change the schema. */
const DDL = /^\s*(CREATE|ALTER|DROP)\b/i;

function columnsOf(stmt: Stmt): StmtResult['cols'] {
  return stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
}

export class StatementRunner {
  readonly #db: Db;
  readonly #cacheSize: number;
  readonly #statements = new Map<string, Stmt>();
  /**
   * Result columns of each cached reader, asked of libSQL once rather than on every execution
   * (a schema change through this endpoint clears the cache; schema changes come only from
   * migrations, which run before the host serves).
   */
  readonly #columns = new WeakMap<Stmt, StmtResult['cols']>();
  readonly #totalChanges: Stmt;

  constructor(db: Db, cacheSize: number) {
    this.#db = db;
    this.#cacheSize = cacheSize;
    this.#totalChanges = db.prepare('SELECT total_changes(), last_insert_rowid()');
    this.#totalChanges.raw(true);
    this.#totalChanges.safeIntegers(true);
  }

  /** Runs `sql` with the statement's arguments; rows only when the statement returns any (and they are wanted). */
  execute(sql: string, hstmt: HranaStmt): StmtResult {
    const stmt = this.#prepare(sql);
    const params = bindParameters(hstmt);
    if (!stmt.reader) {
      const info = stmt.run(params);
      // A schema change can change what a cached `SELECT *` returns: start the cache afresh.
      if (DDL.test(sql)) this.clear();
      return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: String(info.lastInsertRowid) };
    }
    // A reader may still write (INSERT … RETURNING): count its changes around the call.
    const [before] = this.#totalChanges.get([]) as [bigint, bigint];
    const rows = stmt.all(params) as unknown[][];
    const [after, rowid] = this.#totalChanges.get([]) as [bigint, bigint];
    let cols = this.#columns.get(stmt);
    if (cols === undefined) this.#columns.set(stmt, (cols = columnsOf(stmt)));
    return {
      cols,
      rows: hstmt.want_rows === false ? [] : rows.map((row) => row.map(encodeValue)),
      affected_row_count: Number(after - before),
      last_insert_rowid: String(rowid),
    };
  }

  /**
   * Runs a batch's steps in order, each only if its condition holds; a failing step is recorded
   * and the batch goes on (conditions on later steps decide what that means). `runStep` executes
   * one statement; `isAutocommit` answers the `is_autocommit` condition.
   */
  batch(steps: unknown[], runStep: (stmt: HranaStmt) => StmtResult, isAutocommit: () => boolean): BatchOutcome {
    if (!Array.isArray(steps)) throw new ProtocolError('batch needs steps');
    const stepResults: (StmtResult | null)[] = [];
    const stepErrors: (HranaError | null)[] = [];
    const evaluate = (cond: BatchCond): boolean => {
      switch (cond.type) {
        case 'ok':
          return stepResults[cond.step] != null;
        case 'error':
          return stepErrors[cond.step] != null;
        case 'not':
          return !evaluate(cond.cond);
        case 'and':
          return cond.conds.every(evaluate);
        case 'or':
          return cond.conds.some(evaluate);
        case 'is_autocommit':
          return isAutocommit();
        default:
          throw new ProtocolError('unknown batch condition');
      }
    };
    for (const raw of steps) {
      const step = raw as { condition?: BatchCond; stmt: HranaStmt };
      if (step.condition !== undefined && !evaluate(step.condition)) {
        stepResults.push(null);
        stepErrors.push(null);
        continue;
      }
      try {
        stepResults.push(runStep(step.stmt));
        stepErrors.push(null);
      } catch (err) {
        if (err instanceof ProtocolError) throw err;
        stepResults.push(null);
        stepErrors.push(toHranaError(err));
      }
    }
    return { step_results: stepResults, step_errors: stepErrors };
  }

  /** Column names and types of `sql`, and whether it only reads. */
  describe(sql: string) {
    const stmt = this.#db.prepare(sql);
    const cols = stmt.reader ? columnsOf(stmt) : [];
    return {
      params: [],
      cols,
      is_explain: /^\s*explain\b/i.test(sql),
      is_readonly: /^\s*(select|explain|values|with\s+(?![\s\S]*\b(insert|update|delete)\b))/i.test(sql),
    };
  }

  /** Forgets every cached statement (and so their columns). */
  clear(): void {
    this.#statements.clear();
  }

  #prepare(sql: string): Stmt {
    let stmt = this.#statements.get(sql);
    if (stmt !== undefined) {
      // Refresh its place in the LRU order.
      this.#statements.delete(sql);
      this.#statements.set(sql, stmt);
      return stmt;
    }
    stmt = this.#db.prepare(sql);
    if (stmt.reader) {
      stmt.raw(true);
      stmt.safeIntegers(true);
    }
    this.#statements.set(sql, stmt);
    if (this.#statements.size > this.#cacheSize) this.#statements.delete(this.#statements.keys().next().value!);
    return stmt;
  }
}
