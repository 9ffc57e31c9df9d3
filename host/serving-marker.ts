/**
 * The serving lock of a database file: a marker beside it, holding the pid of the host that
 * serves it. A second host refuses to serve the file, and `npm run restore` refuses to replace it,
 * while a live host holds it; a marker left by a host that died counts for nothing.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Marker the host keeps beside the database while it serves it (its pid inside). */
export function servingMarker(dbPath: string): string {
  return `${dbPath}.serving`;
}

/** The pid of a live host serving `dbPath`, or undefined. */
export function servingPid(dbPath: string): number | undefined {
  const marker = servingMarker(dbPath);
  if (!existsSync(marker)) return undefined;
  const pid = Number(readFileSync(marker, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // The host died (kill -9) and left its marker: nothing serves the file.
  }
  // After a reboot the marker's pid may belong to another program: only a host counts.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve.mjs') ? pid : undefined;
  } catch {
    return pid; // No /proc here: a live process with that pid is taken for the host.
  }
}
