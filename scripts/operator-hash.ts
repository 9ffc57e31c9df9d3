/**
 * `npm run --silent operator-hash -- NAME`: reads the password from standard input and prints one
 * complete OPERATOR_USERS entry. On a terminal it asks without echoing what is typed (raw mode:
 * Enter ends it, Backspace takes a character back, Ctrl-C gives up); from a pipe it reads the
 * first line. Join entries with commas; the same entries work on both functions.
 */
import { askWithoutEcho, readPipe } from '../cli/password-prompt';
import { operatorEntry } from '../functions/operator-area/password';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run --silent operator-hash -- NAME   (the password comes on standard input)');
  process.exit(2);
}

const password = process.stdin.isTTY ? await askWithoutEcho(`Password for ${name} (at least 12 characters, not shown): `) : await readPipe();
try {
  console.log(await operatorEntry(name, password));
} catch (err) {
  console.error(`operator-hash: ${(err as Error).message}`);
  process.exit(2);
}
