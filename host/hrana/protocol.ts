/**
 * The Hrana protocol's shapes as this endpoint speaks them (Hrana 2 over HTTP: requests,
 * statements, batch conditions, results, errors), and the codec between Hrana values and the
 * values libSQL binds and returns.
 */

export type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

export interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

export type BatchCond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and' | 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' };

export interface StmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export interface HranaError {
  message: string;
  code?: string;
}

/** One request of a pipeline, as decoded JSON (its `type` selects the rest). */
export type PipelineRequest = Record<string, unknown>;

/** The HTTP answer to one pipeline. */
export interface PipelineAnswer {
  status: number;
  body: unknown;
}

export const EMPTY_RESULT: StmtResult = { cols: [], rows: [], affected_row_count: 0, last_insert_rowid: null };

/** Raised for requests the protocol rejects; becomes `{"type":"error"}` or an HTTP 400. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = 'HRANA_PROTO_ERROR',
  ) {
    super(message);
  }
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

export function encodeValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new ProtocolError(`cannot encode a ${typeof value} value`);
}

/** Hrana arguments in the form libSQL binds: an array (positional) or an object (named, without prefix). */
export function bindParameters(stmt: HranaStmt): unknown[] | Record<string, unknown> {
  const positional = (stmt.args ?? []).map(decodeValue);
  const named = stmt.named_args ?? [];
  if (named.length === 0) return positional;
  const object: Record<string, unknown> = {};
  positional.forEach((value, i) => (object[String(i + 1)] = value));
  for (const { name, value } of named) object[/^[:@$]/.test(name) ? name.slice(1) : name] = decodeValue(value);
  return object;
}

export function toHranaError(err: unknown): HranaError {
  if (err instanceof ProtocolError) return { message: err.message, code: err.code };
  const e = err as { message?: string; code?: unknown };
  return { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : 'SQLITE_ERROR' };
}
