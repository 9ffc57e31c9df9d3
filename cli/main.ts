/**
 * `ops-webhook`, the command an administrator types on the VMs (/usr/bin/ops-webhook runs this
 * bundle on the package's own Node). It reads the arguments and hands each verb to its module;
 * a failed step prints its cause and fix and exits 1, a usage error exits 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../host/project.mjs';
import { backup, restore, restoreAsService } from './commands/backup-restore';
import { checkUpgrade } from './commands/check-upgrade';
import { doctor } from './commands/doctor';
import { emit } from './commands/emit';
import { operatorAdd } from './commands/operator-add';
import { pki } from './commands/pki';
import { setupEmitter } from './commands/setup-emitter';
import { setupReceiver } from './commands/setup-receiver';
import { status } from './commands/status';
import { printResult, StepFailure } from './report';

const USAGE = `usage: ops-webhook COMMAND
  setup receiver --listen ADDR:PORT [--operator-listen ADDR:PORT] [--operator NAME] [--force]   (VM122)
  setup emitter --pair FILE [--listen ADDR:PORT] [--force]                                     (VM112)
  doctor                    one line per check; exit 1 if any fails
  status                    units and /healthz of what runs here
  operator add NAME         one more person for the desk (or console)
  backup                    a backup now, of each function set up here
  restore FILE [--function receiver|emitter]
  emit EVENT DOMAIN SESSION_ID [DATA_JSON]                                                     (VM112)
  pki renew | rotate-ca | retire-old-ca                                                        (VM122)
  --version`;

/** The installed version: the package's own package.json (PACKAGE_VERSION when it was built with one). */
export function installedVersion(): string {
  const path = join(ROOT, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : 'unknown';
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      listen: { type: 'string' },
      'operator-listen': { type: 'string' },
      operator: { type: 'string' },
      pair: { type: 'string' },
      function: { type: 'string' },
      force: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`ops-webhook ${installedVersion()} (node ${process.version})\n`);
    return 0;
  }
  switch (command === 'setup' ? `setup ${rest[0] ?? ''}` : command) {
    case 'setup receiver':
      await setupReceiver({ listen: values.listen, operatorListen: values['operator-listen'], operator: values.operator, force: values.force });
      return 0;
    case 'setup emitter':
      await setupEmitter({ pair: values.pair, listen: values.listen, force: values.force });
      return 0;
    case 'doctor':
      return doctor();
    case 'status':
      return status();
    case 'operator':
      if (rest[0] !== 'add') break;
      await operatorAdd(rest[1]);
      return 0;
    case 'backup':
      backup();
      return 0;
    case 'restore':
      await restore(rest[0], values.function);
      return 0;
    case 'check-upgrade':
      await checkUpgrade(rest[0]);
      return 0;
    case '__restore-as-service':
      restoreAsService(rest[0], rest[1]);
      return 0;
    case 'emit':
      await emit(rest);
      return 0;
    case 'pki':
      await pki(rest[0]);
      return 0;
  }
  process.stderr.write(`${values.help ? '' : `ops-webhook: unknown command ${JSON.stringify(positionals.join(' '))}\n`}${USAGE}\n`);
  return values.help ? 0 : 2;
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    if (err instanceof StepFailure) {
      printResult({ status: 'fail', label: err.label, cause: err.cause, fix: err.fix });
      process.exit(1);
    }
    if ((err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`ops-webhook: ${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`ops-webhook: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
