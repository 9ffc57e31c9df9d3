/**
 * `npm run --silent operator-hash -- NAME`: reads the password from standard input (a terminal,
 * or a pipe) and prints one complete OPERATOR_USERS entry. Join entries with commas; the same
 * entries work on both functions.
 */
import { operatorEntry } from '../functions/shared/operators/password';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run --silent operator-hash -- NAME   (the password comes on standard input)');
  process.exit(2);
}
if (process.stdin.isTTY) process.stderr.write(`Password for ${name} (at least 12 characters): `);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const password = input.replace(/\r?\n$/, '');
  operatorEntry(name, password)
    .then((entry) => console.log(entry))
    .catch((err: Error) => {
      console.error(`operator-hash: ${err.message}`);
      process.exit(2);
    });
});
