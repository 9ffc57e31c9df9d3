/**
 * Whether the SQLite file the host serves can take writes: the free space of its file system
 * (statfs), and whether the file at its path is still the file the host has open. A deleted or
 * replaced file would otherwise keep taking "committed" writes into an unlinked inode, lost at
 * the next start.
 */
import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StorageStatus } from '../db/storage-report';

export type { StorageStatus } from '../db/storage-report';

/**
 * How long one reading of the free space is reused (a statfs per pipeline would be wasted work
 * under load). The file's identity is not cached for writes: refusal() looks at it each time.
 */
const READING_TTL_MS = 250;

export class StorageWatch {
  readonly #path: string;
  readonly #minFreeBytes: number;
  readonly #identity: { dev: number; ino: number };
  #reading: { at: number; status: StorageStatus } | undefined;

  /** Call right after opening the file at `path`, so its identity is the one the host has open. */
  constructor(path: string, minFreeBytes: number) {
    this.#path = path;
    this.#minFreeBytes = minFreeBytes;
    const { dev, ino } = statSync(path);
    this.#identity = { dev, ino };
  }

  /** Whether the file at the path is still the one the host has open (one stat, a few microseconds). */
  #file(): StorageStatus['file'] {
    try {
      const { dev, ino } = statSync(this.#path);
      return dev !== this.#identity.dev || ino !== this.#identity.ino ? 'replaced' : 'ok';
    } catch {
      return 'missing';
    }
  }

  status(now = Date.now()): StorageStatus {
    if (this.#reading && now - this.#reading.at < READING_TTL_MS) return this.#reading.status;
    const file = this.#file();
    let freeBytes = 0;
    try {
      const fs = statfsSync(dirname(this.#path));
      freeBytes = fs.bavail * fs.bsize;
    } catch {
      // The folder is gone too: no space to speak of.
    }
    const status = { file, free_bytes: freeBytes, min_free_bytes: this.#minFreeBytes, ok: file === 'ok' && freeBytes >= this.#minFreeBytes };
    this.#reading = { at: now, status };
    return status;
  }

  /**
   * Why writes must be refused now (the file is gone or replaced), or undefined. Looked at afresh
   * for every pipeline: a file replaced under the host (a restore done by hand) must not take one
   * more acknowledged write.
   */
  refusal(): string | undefined {
    const file = this.#file();
    return file === 'ok' ? undefined : `the database file is ${file} at ${this.#path}; restart the service`;
  }
}
