/** `ops-webhook operator add NAME`: one more person who may sign in to the desk (or console), on every function set up here. */
import { readEnvFile, writeEnvFile } from '../env-file';
import { requireConfigured } from '../configured';
import { envFile, serviceUnit } from '../layout';
import { withOperator } from '../operators';
import { done, note, StepFailure } from '../report';
import { requireRoot, systemctlOrFail } from '../system';

export async function operatorAdd(name: string | undefined): Promise<void> {
  requireRoot('operator add');
  if (!name) throw new StepFailure('operator add', 'a NAME is required', 'ops-webhook operator add alice');
  const roles = requireConfigured('operator add');
  const first = roles[0]!;
  const added = await withOperator(first.env.OPERATOR_USERS, name);
  const entry = added.value.split(',').at(-1)!;
  for (const configured of roles) {
    const values = readEnvFile(envFile(configured.role));
    values.OPERATOR_USERS = configured === first ? added.value : values.OPERATOR_USERS ? `${values.OPERATOR_USERS},${entry}` : entry;
    writeEnvFile(envFile(configured.role), values, { mode: 0o600, header: `The ops-webhook ${configured.role}; operators added by ops-webhook operator add.` });
    systemctlOrFail(serviceUnit(configured.role), ['restart', serviceUnit(configured.role)], `journalctl -u ${serviceUnit(configured.role)} -n 50`);
    done(`operator ${name} added to the ${configured.role}`, 'service restarted; its socket kept every connection');
  }
  if (added.shown) note(`${name}'s password, shown this once: ${added.shown}`);
}
