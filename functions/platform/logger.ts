/**
 * Structured JSON log lines, one object per line on stdout. Fields whose names look like they
 * could carry credentials are dropped before writing, as a second line of defence: callers
 * should never pass them in the first place. Every string value is capped, so a caller that
 * sends a 60 KB header or path cannot write a 60 KB log line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SENSITIVE_KEY = /secret|signature|token|authorization|password|cookie/i;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}

/** Longest string value written, in UTF-16 units; the rest is replaced by a marker saying how much was cut. */
export const MAX_LOG_VALUE = 200;

/** `value` with every string in it (nested ones too) cut to {@link MAX_LOG_VALUE}. */
function capped(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.length <= MAX_LOG_VALUE) return value;
    // Never leave half of a surrogate pair at the cut.
    const end = /[\uD800-\uDBFF]/.test(value[MAX_LOG_VALUE - 1]!) ? MAX_LOG_VALUE - 1 : MAX_LOG_VALUE;
    return `${value.slice(0, end)}\u2026 (${value.length - end} more characters)`;
  }
  if (value === null || typeof value !== 'object' || depth >= 3) return value;
  if (Array.isArray(value)) return value.map((item) => capped(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, capped(v, depth + 1)]));
}

/** Copies `fields` without undefined values and credential-like keys, with every string capped. */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || SENSITIVE_KEY.test(key)) continue;
    out[key] = capped(value);
  }
  return out;
}

/** Creates a logger that writes lines at `level` and above through `sink` (console.log by default). */
export function createLogger(
  level: LogLevel = 'info',
  base: LogFields = {},
  sink: (line: string) => void = (line) => console.log(line),
): Logger {
  const threshold = LEVELS[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < threshold) return;
    sink(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...redact({ ...base, ...fields }) }));
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  };
}
