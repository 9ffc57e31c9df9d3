/**
 * Vitest reporters for a run: the default one, plus a JSON report into TEST_REPORT_DIR when
 * `.ci/run` sets it (one file per run, which it adds up for its closing line).
 */
import { join } from 'node:path';

export function reporters(run: string): (string | [string, Record<string, unknown>])[] {
  const dir = process.env.TEST_REPORT_DIR;
  return dir ? ['default', ['json', { outputFile: join(dir, `${run}.json`) }]] : ['default'];
}
