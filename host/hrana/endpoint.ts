/**
 * A libSQL remote-protocol endpoint (Hrana 2 over HTTP, `POST /v2/pipeline`) answered from one
 * local SQLite file through libSQL's synchronous API. It is how a worker in workerd, which
 * cannot open files, reaches the database: the official `@libsql/client/web` is the peer.
 *
 * Concurrency model: one connection, used by one request at a time. A pipeline runs to the end
 * synchronously, so a batch (BEGIN … COMMIT in one request) is atomic with respect to every
 * other request. A stream that leaves a transaction open (an interactive `transaction()`) owns
 * the connection until it commits, rolls back, closes or idles out; other streams wait for it
 * instead of failing with SQLITE_BUSY. Self-contained pipelines share commits (group-commit.ts).
 */
import { randomBytes } from 'node:crypto';
import type Database from 'libsql';
import { GroupCommit, groupable, groupedTransactionControl, UNGROUPED, type RunContext } from './group-commit';
import { ProtocolError, toHranaError, type HranaStmt, type PipelineAnswer, type PipelineRequest, type StmtResult } from './protocol';
import { StatementRunner } from './statements';

type Db = InstanceType<typeof Database>;

interface Stream {
  id: string;
  baton: string;
  sqls: Map<number, string>;
  idleTimer?: NodeJS.Timeout;
}

export interface HranaEndpointOptions {
  /** How long a stream may sit between requests before it is closed (and rolled back), in ms. */
  streamIdleMs?: number;
  /** Prepared statements kept for reuse. */
  statementCacheSize?: number;
  /** Group commit of self-contained pipelines (see group-commit.ts). Default on. */
  groupCommit?: boolean;
  /** Asked before every pipeline: a reason to refuse it (503), e.g. the database file is gone. */
  refusal?: () => string | undefined;
}

const MAX_SQL_IDS = 1000;

/** Serves Hrana pipelines against one open libSQL database handle. */
export class HranaEndpoint {
  readonly #db: Db;
  readonly #idleMs: number;
  readonly #statements: StatementRunner;
  readonly #streams = new Map<string, Stream>();
  readonly #group: GroupCommit | undefined;
  readonly #refusal: () => string | undefined;
  #owner: Stream | undefined;
  #waiters: (() => void)[] = [];

  constructor(db: Db, options: HranaEndpointOptions = {}) {
    this.#db = db;
    this.#idleMs = options.streamIdleMs ?? 15_000;
    this.#statements = new StatementRunner(db, options.statementCacheSize ?? 256);
    this.#refusal = options.refusal ?? (() => undefined);
    if (options.groupCommit ?? true) {
      const holder: Stream = { id: 'group', baton: '', sqls: new Map() };
      this.#group = new GroupCommit({
        db,
        acquire: () => this.#acquire(holder),
        release: () => this.#release(holder),
        run: (requests, ctx) => this.#run({ id: 'member', baton: '', sqls: new Map() }, requests, ctx).results,
      });
    }
  }

  /** Handles one decoded `POST /v2/pipeline` body. */
  async pipeline(body: unknown): Promise<PipelineAnswer> {
    if (body === null || typeof body !== 'object' || !Array.isArray((body as { requests?: unknown }).requests)) {
      return { status: 400, body: { message: 'pipeline body must have a requests array', code: 'HRANA_PROTO_ERROR' } };
    }
    const refused = this.#refusal();
    if (refused !== undefined) return { status: 503, body: { message: refused, code: 'SQLITE_CANTOPEN' } };
    const { baton, requests } = body as { baton?: string | null; requests: PipelineRequest[] };
    if (!baton && this.#group && groupable(requests)) return this.#group.submit(requests);
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

  /** Closes every stream (rolling back an open transaction) and forgets cached statements. */
  close(): void {
    for (const stream of [...this.#streams.values()]) this.#closeStream(stream);
    this.#statements.clear();
  }

  /** Open streams, for diagnostics and tests. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Runs a pipeline's requests in order; an error in one does not stop the next (Hrana semantics). */
  #run(stream: Stream, requests: PipelineRequest[], ctx: RunContext): { results: unknown[]; closed: boolean } {
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

  #request(stream: Stream, request: PipelineRequest, ctx: RunContext): unknown {
    switch (request.type) {
      case 'execute':
        return { type: 'execute', result: this.#execute(stream, request.stmt as HranaStmt, ctx) };
      case 'batch': {
        const steps = (request.batch as { steps: unknown[] }).steps;
        const isAutocommit = () => (ctx.grouped ? !ctx.virtualTx : !this.#db.inTransaction);
        return { type: 'batch', result: this.#statements.batch(steps, (stmt) => this.#execute(stream, stmt, ctx), isAutocommit) };
      }
      case 'sequence':
        this.#db.exec(this.#sqlOf(stream, request as HranaStmt));
        // Free SQL may have changed the schema; cached statements and their columns start afresh.
        this.#statements.clear();
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: this.#statements.describe(this.#sqlOf(stream, request as HranaStmt)) };
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

  #execute(stream: Stream, hstmt: HranaStmt, ctx: RunContext): StmtResult {
    const sql = this.#sqlOf(stream, hstmt);
    return groupedTransactionControl(this.#db, sql, ctx) ?? this.#statements.execute(sql, hstmt);
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
}
