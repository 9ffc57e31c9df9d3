/**
 * The host's own settings (how it serves a function, whichever one): address, durability,
 * shutdown, sweep pace, workerd's V8 flags. Validated from the environment at start; the
 * function's settings are validated beside them with the function's own schema.
 */
import { z } from 'zod';
import { parseDuration } from '../functions/host-contract/settings';

/**
 * workerd's V8 heap: small semi-spaces bound the young generation, which otherwise grows under
 * load, and a small initial heap makes V8 size the old generation from what survives instead of
 * letting it grow well past what is live. What each saves and costs is in docs/performance.md
 * WORKERD_V8_FLAGS overrides the list.
 */
export const DEFAULT_V8_FLAGS = '--max-semi-space-size=2 --initial-heap-size=16';

const optionalPath = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

export const HOST_SETTINGS = z.object({
  HOST: z.string().default('127.0.0.1'),
  /** Unset: the function's default port. 0: an ephemeral port (the `listening` line says which). */
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** FULL: a committed event survives power loss. NORMAL: survives a process crash only. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Below this much free space (MiB) on the database's file system, /healthz answers 503. */
  MIN_FREE_DISK_MB: z.coerce.number().int().min(0).max(1_000_000).default(64),
  /** Pause between outbox sweeps (emitter), when the last one left nothing due. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Folder for online backups of the database (unset: no backups). */
  BACKUP_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** Time between backups, e.g. `1d`, `6h`. */
  BACKUP_INTERVAL: z
    .string()
    .default('1d')
    .transform((text, ctx) => {
      try {
        const ms = parseDuration(text);
        if (ms >= 1000) return ms;
        ctx.addIssue({ code: 'custom', message: 'must be at least 1s' });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
      return z.NEVER;
    }),
  /** Backups kept; older ones are deleted after each new one. */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14),
  /**
   * workerd processes serving the function, all accepting on one listening socket (workerd runs a
   * worker on one thread per process; more processes are its way to use more cores).
   */
  WORKERD_PROCESSES: z.coerce.number().int().min(1).max(16).default(1),
  /** For profiling only: workerd's inspector on this loopback `host:port` (a CPU profile in DevTools format). */
  WORKERD_INSPECTOR_ADDR: z
    .preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^(127\.\d+\.\d+\.\d+|localhost):\d+$/, 'must be a loopback host:port').optional()),
  /**
   * A second listener, for people: set, the desk/console, their assets, /docs and /openapi.json are
   * served only on this port (same HOST), and PORT serves only the machine endpoints.
   */
  OPERATOR_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** TLS on the listener: the certificate (PEM, chain allowed) and its private key; set, the listener speaks only TLS (1.2+). */
  TLS_CERT_FILE: optionalPath,
  TLS_KEY_FILE: optionalPath,
  /** Mutual TLS: the listener then requires a client certificate signed by this CA (PEM). */
  TLS_CLIENT_CA_FILE: optionalPath,
  /** The emitter's outbound TLS: the CA bundle to trust for https:// URLs (workerd's built-in browser CAs otherwise), and its client certificate. */
  OPS_WEBHOOK_CA_FILE: optionalPath,
  OPS_WEBHOOK_CLIENT_CERT_FILE: optionalPath,
  OPS_WEBHOOK_CLIENT_KEY_FILE: optionalPath,
  WORKERD_V8_FLAGS: z
    .string()
    .default(DEFAULT_V8_FLAGS)
    .transform((flags) => flags.split(/\s+/).filter(Boolean)),
});

export type HostSettings = z.infer<typeof HOST_SETTINGS>;
