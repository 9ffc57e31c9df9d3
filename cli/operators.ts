/**
 * Operators in an env file's OPERATOR_USERS: adding one with a password typed at the terminal,
 * or, with no terminal, a generated one printed once.
 */
import { randomBytes } from 'node:crypto';
import { operatorEntry, parseOperatorUsers } from '../functions/operator-area/password';
import { askWithoutEcho } from './password-prompt';
import { StepFailure } from './report';

/** The names in an OPERATOR_USERS value. */
export function operatorNames(value: string | undefined): string[] {
  return value ? parseOperatorUsers(value).map((credential) => credential.name) : [];
}

/** OPERATOR_USERS with `name` added; `shown` is the generated password to print, when none was typed. */
export async function withOperator(value: string | undefined, name: string): Promise<{ value: string; shown?: string }> {
  if (operatorNames(value).includes(name)) throw new StepFailure(`operator ${name}`, 'that name is taken', `choose another name, or remove ${name} from OPERATOR_USERS first`);
  let password: string;
  let shown: string | undefined;
  if (process.stdin.isTTY) {
    password = await askWithoutEcho(`Password for ${name} (at least 12 characters, not shown): `);
  } else {
    password = randomBytes(18).toString('base64url');
    shown = password;
  }
  let entry: string;
  try {
    entry = await operatorEntry(name, password);
  } catch (err) {
    throw new StepFailure(`operator ${name}`, (err as Error).message, `ops-webhook operator add ${name}, with a longer password`);
  }
  return { value: value ? `${value},${entry}` : entry, shown };
}
