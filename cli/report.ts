/**
 * How the command speaks: one line per step or check, `✓` done, `!` a warning, `✗` failed with
 * its cause and the fix on the lines below; a failed step throws {@link StepFailure} and the
 * command exits 1 with it.
 */

export type CheckResult = { status: 'ok' | 'warn'; label: string; detail?: string } | { status: 'fail'; label: string; cause: string; fix: string };

/** A step that cannot go on: what went wrong and what to do. */
export class StepFailure extends Error {
  constructor(
    readonly label: string,
    override readonly cause: string,
    readonly fix: string,
  ) {
    super(`${label}: ${cause}`);
  }
}

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** Prints one result line (and, for a failure, its cause and fix). */
export function printResult(result: CheckResult, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): void {
  if (result.status === 'fail') {
    out(`${MARK.fail} ${result.label}`);
    out(`    cause: ${result.cause}`);
    out(`    fix:   ${result.fix}`);
  } else out(`${MARK[result.status]} ${result.label}${result.detail ? ` (${result.detail})` : ''}`);
}

/** A step done: its line. */
export function done(label: string, detail?: string): void {
  printResult({ status: 'ok', label, detail });
}

/** A note that is neither done nor failed. */
export function note(line: string): void {
  process.stdout.write(`  ${line}\n`);
}
