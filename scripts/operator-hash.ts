/**
 * `npm run --silent operator-hash -- NAME`: reads the password from standard input and prints one
 * complete OPERATOR_USERS entry. On a terminal it asks without echoing what is typed (raw mode:
 * Enter ends it, Backspace takes a character back, Ctrl-C gives up); from a pipe it reads the
 * first line. Join entries with commas; the same entries work on both functions.
 */
import { operatorEntry } from '../functions/shared/operators/password';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run --silent operator-hash -- NAME   (the password comes on standard input)');
  process.exit(2);
}

/** The password typed on the terminal, never echoed. */
function askWithoutEcho(prompt: string): Promise<string> {
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
function readPipe(): Promise<string> {
  return new Promise((resolve) => {
    let input = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (input += chunk));
    process.stdin.on('end', () => resolve(input.replace(/\r?\n$/, '')));
  });
}

const password = process.stdin.isTTY ? await askWithoutEcho(`Password for ${name} (at least 12 characters, not shown): `) : await readPipe();
try {
  console.log(await operatorEntry(name, password));
} catch (err) {
  console.error(`operator-hash: ${(err as Error).message}`);
  process.exit(2);
}
