/** The drill's own log: each phase timed, printed as it ends and summed at the end. */
const done: { name: string; ms: number }[] = [];

export function drillLog(line: string): void {
  process.stdout.write(`drill: ${line}\n`);
}

export async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    done.push({ name, ms: Date.now() - started });
    drillLog(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

export function timings(): string {
  return done.map((p) => `${p.name} ${(p.ms / 1000).toFixed(0)} s`).join(', ');
}
