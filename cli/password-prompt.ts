/**
 * A password typed on the terminal, never echoed (raw mode: Enter ends it, Backspace takes a
 * character back, Ctrl-C gives up), or the first line of a pipe. `npm run operator-hash` and
 * `ops-webhook operator add` ask with it.
 */

/** Asks on standard error and reads the answer from standard input, a terminal. */
export function askWithoutEcho(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Everything piped in, less one trailing line break. */
export function readPipe(): Promise<string> {
  return new Promise((resolve) => {
    let input = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (input += chunk));
    process.stdin.on('end', () => resolve(input.replace(/\r?\n$/, '')));
  });
}
