/** `npm run operator-hash`: the entry it prints verifies the password, which a terminal never shows (run under script(1), a real TTY). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseOperatorUsers, verifyPassword } from '../../functions/operator-area/password';
import { ROOT } from '../../host/project.mjs';

const PASSWORD = 'typed-but-never-shown-0123';

function run(command: string, args: string[], input: (stdin: NodeJS.WritableStream) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('exit', () => resolve(output));
    input(child.stdin);
  });
}

const entryIn = (output: string) => /(\S+:pbkdf2-sha256\$\S+)/.exec(output)?.[1];

describe('operator-hash', () => {
  it('asks on a terminal without echoing the password, and prints an entry that verifies it', async () => {
    const output = await run('script', ['-qec', `${process.execPath} --import tsx scripts/operator-hash.ts alice`, '/dev/null'], (stdin) => {
      // Type once the prompt is up (raw mode is on by then).
      setTimeout(() => stdin.write(`${PASSWORD}\r`), 1500);
    });
    expect(output).toContain('not shown');
    expect(output).not.toContain(PASSWORD);
    const [credential] = parseOperatorUsers(entryIn(output)!);
    expect(await verifyPassword(credential!, PASSWORD)).toBe(true);
  });

  it('still reads the password from a pipe', async () => {
    const output = await run(process.execPath, ['--import', 'tsx', 'scripts/operator-hash.ts', 'bob'], (stdin) => stdin.end(`${PASSWORD}\n`));
    const child = entryIn(output);
    expect(child).toMatch(/^bob:/);
    expect(await verifyPassword(parseOperatorUsers(child!)[0]!, PASSWORD)).toBe(true);
  });
});
