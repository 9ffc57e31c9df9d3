/**
 * A libSQL remote-protocol endpoint (Hrana 2 over HTTP, `POST /v2/pipeline`) answered from one
 * local SQLite file through libSQL's synchronous API. It is how a worker in workerd, which
 * cannot open files, reaches the database: the official `@libsql/client/web` is the peer.
 *
 * Concurrency model: one connection, used by one request at a time. A pipeline runs to the end
 * synchronously, so a batch (BEGIN … COMMIT in one request) is atomic with respect to every
 * other request. A stream that leaves a transaction open (an interactive `transaction()`) owns
 * the connection until it commits, rolls back, closes or idles out; other streams wait for it
 * instead of failing with SQLITE_BUSY.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'libsql';

type Db = InstanceType<typeof Database>;
type Stmt = ReturnType<Db['prepare']>;

export type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

type BatchCond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and' | 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' };

interface StmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

interface HranaError {
  message: string;
  code?: string;
}

/** Raised for requests the protocol rejects; becomes `{"type":"error"}` or an HTTP 400. */
class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = 'HRANA_PROTO_ERROR',
  ) {
    super(message);
  }
}

interface Stream {
  id: string;
  baton: string;
  sqls: Map<number, string>;
  idleTimer?: NodeJS.Timeout;
}

export interface HranaEndpointOptions {
  /** Required `Authorization: Bearer` token; every request without it gets 401. */
  authToken?: string;
  /** How long a stream may sit between requests before it is closed (and rolled back), in ms. */
  streamIdleMs?: number;
  /** Prepared statements kept for reuse. */
  statementCacheSize?: number;
  /**
   * Group commit: self-contained pipelines (no baton, ending in `close`) that arrive together
   * run in one SQLite transaction, each inside its own savepoint, and are answered only after
   * the shared COMMIT. Same atomicity and isolation as one by one, one fsync for all. Default on.
   */
  groupCommit?: boolean;
}

/** Per-pipeline state while it runs; `grouped` pipelines see their BEGIN/COMMIT as a savepoint. */
interface RunContext {
  grouped: boolean;
  /** Inside the pipeline's own (virtual) transaction. */
  virtualTx: boolean;
}

const SAVEPOINT = 'hrana_group_member';
const BEGIN_SQL = /^\s*BEGIN\b/i;
const COMMIT_SQL = /^\s*(COMMIT|END)\b/i;
const ROLLBACK_SQL = /^\s*ROLLBACK\s*(TRANSACTION\s*)?;?\s*$/i;
const UNGROUPED: RunContext = { grouped: false, virtualTx: false };

export interface PipelineAnswer {
  status: number;
  body: unknown;
}

const MAX_SQL_IDS = 1000;

const EMPTY_RESULT: StmtResult = { cols: [], rows: [], affected_row_count: 0, last_insert_rowid: null };

/** Serves Hrana pipelines against one open libSQL database handle. */
export class HranaEndpoint {
  readonly #db: Db;
  readonly #token: Buffer | undefined;
  readonly #idleMs: number;
  readonly #cacheSize: number;
  readonly #streams = new Map<string, Stream>();
  readonly #statements = new Map<string, Stmt>();
  #owner: Stream | undefined;
  #waiters: (() => void)[] = [];
  #totalChanges: Stmt;
  readonly #groupCommit: boolean;
  #group: { requests: Record<string, unknown>[]; resolve: (answer: PipelineAnswer) => void }[] = [];
  #groupScheduled = false;

  constructor(db: Db, options: HranaEndpointOptions = {}) {
    this.#db = db;
    this.#token = options.authToken ? digest(options.authToken) : undefined;
    this.#idleMs = options.streamIdleMs ?? 15_000;
    this.#cacheSize = options.statementCacheSize ?? 256;
    this.#groupCommit = options.groupCommit ?? true;
    this.#totalChanges = db.prepare('SELECT total_changes(), last_insert_rowid()');
    this.#totalChanges.raw(true);
    this.#totalChanges.safeIntegers(true);
  }

  /** True when `header` (an Authorization header value) carries the configured token. */
  authorized(header: string | undefined | null): boolean {
    if (this.#token === undefined) return true;
    const match = /^Bearer (.+)$/.exec(header ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), this.#token);
  }

  /** Handles one decoded `POST /v2/pipeline` body. */
  async pipeline(body: unknown): Promise<PipelineAnswer> {
    if (body === null || typeof body !== 'object' || !Array.isArray((body as { requests?: unknown }).requests)) {
      return { status: 400, body: { message: 'pipeline body must have a requests array', code: 'HRANA_PROTO_ERROR' } };
    }
    const { baton, requests } = body as { baton?: string | null; requests: Record<string, unknown>[] };
    if (!baton && this.#groupCommit && groupable(requests)) {
      return new Promise((resolve) => {
        this.#group.push({ requests, resolve });
        if (!this.#groupScheduled) {
          this.#groupScheduled = true;
          // Collect every pipeline that arrived in this turn of the event loop, then commit them together.
          setImmediate(() => void this.#flushGroup());
        }
      });
    }
    let stream: Stream;
    if (baton) {
      const found = this.#streams.get(baton.split('.')[0]!);
      if (found === undefined || found.baton !== baton) {
        return { status: 400, body: { message: 'unknown or expired baton', code: 'STREAM_EXPIRED' } };
      }
      stream = found;
    } else {
      stream = { id: randomBytes(12).toString('hex'), baton: '', sqls: new Map() };
      this.#streams.set(stream.id, stream);
    }
    clearTimeout(stream.idleTimer);

    await this.#acquire(stream);
    const { results, closed } = this.#run(stream, requests, UNGROUPED);
    if (closed) {
      this.#closeStream(stream);
      return { status: 200, body: { baton: null, base_url: null, results } };
    }
    this.#release(stream);
    stream.baton = `${stream.id}.${randomBytes(9).toString('base64url')}`;
    stream.idleTimer = setTimeout(() => this.#closeStream(stream), this.#idleMs);
    stream.idleTimer.unref();
    return { status: 200, body: { baton: stream.baton, base_url: null, results } };
  }

  /** Runs a pipeline's requests in order; an error in one does not stop the next (Hrana semantics). */
  #run(stream: Stream, requests: Record<string, unknown>[], ctx: RunContext): { results: unknown[]; closed: boolean } {
    const results: unknown[] = [];
    let closed = false;
    for (const request of requests) {
      if (closed) {
        results.push({ type: 'error', error: { message: 'stream is closed', code: 'STREAM_CLOSED' } });
        continue;
      }
      try {
        results.push({ type: 'ok', response: this.#request(stream, request, ctx) });
        if (request.type === 'close') closed = true;
      } catch (err) {
        results.push({ type: 'error', error: toHranaError(err) });
      }
    }
    return { results, closed };
  }

  /**
   * Runs the collected self-contained pipelines in one transaction. Each runs inside a savepoint
   * (its BEGIN/COMMIT/ROLLBACK become SAVEPOINT/RELEASE/ROLLBACK TO), so a failing one rolls back
   * alone; all are answered after the one COMMIT. If the outer transaction is lost (an I/O error
   * rolls it back) or COMMIT fails, every member not yet durable is answered with an error, so
   * its sender retries.
   */
  async #flushGroup(): Promise<void> {
    this.#groupScheduled = false;
    const group = this.#group;
    this.#group = [];
    const holder: Stream = { id: 'group', baton: '', sqls: new Map() };
    await this.#acquire(holder);
    const unavailable = (err: unknown): PipelineAnswer => ({
      status: 503,
      body: { message: `database write failed: ${(err as Error).message ?? err}`, code: 'SQLITE_IOERR' },
    });
    const answered: { resolve: (a: PipelineAnswer) => void; answer: PipelineAnswer }[] = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      for (const member of group) member.resolve(unavailable(err));
      this.#release(holder);
      return;
    }
    for (const [index, member] of group.entries()) {
      const ctx: RunContext = { grouped: true, virtualTx: false };
      const stream: Stream = { id: 'member', baton: '', sqls: new Map() };
      const { results } = this.#run(stream, member.requests, ctx);
      if (ctx.virtualTx && this.#db.inTransaction) this.#db.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
      if (!this.#db.inTransaction) {
        const lost = new Error('the transaction was rolled back by the database');
        for (const done of answered.splice(0)) done.resolve(unavailable(lost));
        member.resolve(unavailable(lost));
        try {
          this.#db.exec('BEGIN IMMEDIATE');
        } catch (err) {
          for (const rest of group.slice(index + 1)) rest.resolve(unavailable(err));
          this.#release(holder);
          return;
        }
        continue;
      }
      answered.push({ resolve: member.resolve, answer: { status: 200, body: { baton: null, base_url: null, results } } });
    }
    try {
      this.#db.exec('COMMIT');
      for (const done of answered) done.resolve(done.answer);
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      for (const done of answered) done.resolve(unavailable(err));
    }
    this.#release(holder);
  }

  /** Closes every stream (rolling back an open transaction) and finalises cached statements. */
  close(): void {
    for (const stream of [...this.#streams.values()]) this.#closeStream(stream);
    this.#statements.clear();
  }

  /** Open streams, for diagnostics and tests. */
  get openStreams(): number {
    return this.#streams.size;
  }

  async #acquire(stream: Stream): Promise<void> {
    while (this.#owner !== undefined && this.#owner !== stream) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** After a pipeline: the stream keeps the connection only while its transaction is open. */
  #release(stream: Stream): void {
    if (this.#db.inTransaction) {
      this.#owner = stream;
      return;
    }
    this.#owner = undefined;
    this.#wakeWaiters();
  }

  #wakeWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Forgets a stream. Called while the stream holds the connection (its own `close`) or from its
   * idle timer; either way a transaction it left open is rolled back and waiting streams resume.
   */
  #closeStream(stream: Stream): void {
    clearTimeout(stream.idleTimer);
    this.#streams.delete(stream.id);
    const holdsConnection = this.#owner === stream || (this.#owner === undefined && this.#db.inTransaction);
    if (!holdsConnection) return;
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    this.#owner = undefined;
    this.#wakeWaiters();
  }

  #request(stream: Stream, request: Record<string, unknown>, ctx: RunContext): unknown {
    switch (request.type) {
      case 'execute':
        return { type: 'execute', result: this.#execute(stream, request.stmt as HranaStmt, ctx) };
      case 'batch':
        return { type: 'batch', result: this.#batch(stream, (request.batch as { steps: unknown[] }).steps, ctx) };
      case 'sequence':
        this.#db.exec(this.#sqlOf(stream, request as HranaStmt));
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: this.#describe(this.#sqlOf(stream, request as HranaStmt)) };
      case 'store_sql': {
        const id = request.sql_id as number;
        if (typeof request.sql !== 'string' || !Number.isInteger(id)) throw new ProtocolError('store_sql needs sql_id and sql');
        if (stream.sqls.size >= MAX_SQL_IDS && !stream.sqls.has(id)) throw new ProtocolError('too many stored SQL texts');
        stream.sqls.set(id, request.sql);
        return { type: 'store_sql' };
      }
      case 'close_sql':
        stream.sqls.delete(request.sql_id as number);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: ctx.grouped ? !ctx.virtualTx : !this.#db.inTransaction };
      case 'close':
        return { type: 'close' };
      default:
        throw new ProtocolError(`unknown request type ${JSON.stringify(request.type)}`);
    }
  }

  #sqlOf(stream: Stream, stmt: { sql?: string; sql_id?: number }): string {
    if (typeof stmt.sql === 'string') return stmt.sql;
    if (stmt.sql_id !== undefined) {
      const sql = stream.sqls.get(stmt.sql_id);
      if (sql === undefined) throw new ProtocolError(`SQL text ${stmt.sql_id} was not stored on this stream`);
      return sql;
    }
    throw new ProtocolError('statement has neither sql nor sql_id');
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
    if (this.#statements.size > this.#cacheSize) {
      this.#statements.delete(this.#statements.keys().next().value!);
    }
    return stmt;
  }

  #execute(stream: Stream, hstmt: HranaStmt, ctx: RunContext): StmtResult {
    const sql = this.#sqlOf(stream, hstmt);
    if (ctx.grouped) {
      // Inside a group the pipeline's own transaction is a savepoint of the shared one.
      if (BEGIN_SQL.test(sql)) {
        if (ctx.virtualTx) throw Object.assign(new Error('cannot start a transaction within a transaction'), { code: 'SQLITE_ERROR' });
        this.#db.exec(`SAVEPOINT ${SAVEPOINT}`);
        ctx.virtualTx = true;
        return EMPTY_RESULT;
      }
      if (COMMIT_SQL.test(sql) || ROLLBACK_SQL.test(sql)) {
        if (!ctx.virtualTx) throw Object.assign(new Error('cannot commit - no transaction is active'), { code: 'SQLITE_ERROR' });
        this.#db.exec(COMMIT_SQL.test(sql) ? `RELEASE ${SAVEPOINT}` : `ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
        ctx.virtualTx = false;
        return EMPTY_RESULT;
      }
    }
    const stmt = this.#prepare(sql);
    const params = bindParameters(hstmt);
    if (!stmt.reader) {
      const info = stmt.run(params);
      return {
        cols: [],
        rows: [],
        affected_row_count: info.changes,
        last_insert_rowid: String(info.lastInsertRowid),
      };
    }
    const [before] = this.#totalChanges.get([]) as [bigint, bigint];
    const rows = stmt.all(params) as unknown[][];
    const [after, rowid] = this.#totalChanges.get([]) as [bigint, bigint];
    return {
      cols: stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })),
      rows: hstmt.want_rows === false ? [] : rows.map((row) => row.map(encodeValue)),
      affected_row_count: Number(after - before),
      last_insert_rowid: String(rowid),
    };
  }

  #batch(stream: Stream, steps: unknown[], ctx: RunContext): { step_results: (StmtResult | null)[]; step_errors: (HranaError | null)[] } {
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
          return ctx.grouped ? !ctx.virtualTx : !this.#db.inTransaction;
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
        stepResults.push(this.#execute(stream, step.stmt, ctx));
        stepErrors.push(null);
      } catch (err) {
        if (err instanceof ProtocolError) throw err;
        stepResults.push(null);
        stepErrors.push(toHranaError(err));
      }
    }
    return { step_results: stepResults, step_errors: stepErrors };
  }

  #describe(sql: string) {
    const stmt = this.#db.prepare(sql);
    const cols = stmt.reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })) : [];
    return {
      params: [],
      cols,
      is_explain: /^\s*explain\b/i.test(sql),
      is_readonly: /^\s*(select|explain|values|with\s+(?![\s\S]*\b(insert|update|delete)\b))/i.test(sql),
    };
  }
}

/**
 * A pipeline can join a group commit when it opens and closes its own stream (no baton, ends in
 * `close`) and holds no `sequence` (free SQL that could manage transactions itself).
 */
function groupable(requests: Record<string, unknown>[]): boolean {
  return requests.length > 0 && requests[requests.length - 1]!.type === 'close' && !requests.some((r) => r.type === 'sequence');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function decodeValue(value: HranaValue): unknown {
  switch (value?.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(value.value);
    case 'float':
      return Number(value.value);
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
    default:
      throw new ProtocolError(`unknown value type ${JSON.stringify((value as { type?: unknown })?.type)}`);
  }
}

function encodeValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new ProtocolError(`cannot encode a ${typeof value} value`);
}

/** Hrana arguments in the form libSQL binds: an array (positional) or an object (named, without prefix). */
function bindParameters(stmt: HranaStmt): unknown[] | Record<string, unknown> {
  const positional = (stmt.args ?? []).map(decodeValue);
  const named = stmt.named_args ?? [];
  if (named.length === 0) return positional;
  const object: Record<string, unknown> = {};
  positional.forEach((value, i) => (object[String(i + 1)] = value));
  for (const { name, value } of named) object[/^[:@$]/.test(name) ? name.slice(1) : name] = decodeValue(value);
  return object;
}

function toHranaError(err: unknown): HranaError {
  if (err instanceof ProtocolError) return { message: err.message, code: err.code };
  const e = err as { message?: string; code?: unknown };
  return { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : 'SQLITE_ERROR' };
}
