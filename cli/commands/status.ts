/** `ops-webhook status`: each function set up here, its units and what its /healthz says. */
import { configuredRoles, localEndpoint } from '../configured';
import { fetchText } from '../https-client';
import { OPERATOR_SOCKET_UNIT, serviceUnit, socketUnit } from '../layout';
import { note } from '../report';
import { systemctl } from '../system';

export async function status(): Promise<number> {
  const roles = configuredRoles();
  if (roles.length === 0) {
    process.stdout.write('ops-webhook: not set up on this machine (ops-webhook setup receiver|emitter)\n');
    return 1;
  }
  let healthy = true;
  for (const configured of roles) {
    const units = [serviceUnit(configured.role), socketUnit(configured.role), ...(configured.env.OPERATOR_PORT ? [OPERATOR_SOCKET_UNIT] : [])];
    const states = units.map((unit) => `${unit} ${systemctl(['is-active', unit]).output || 'unknown'}`);
    const { base, tls } = localEndpoint(configured);
    let health: string;
    try {
      const answer = await fetchText(`${base}/healthz`, { tls });
      health = `/healthz ${answer.status}`;
      healthy &&= answer.status === 200;
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      note(`${configured.role}: ${health} ${JSON.stringify(body)}`);
    } catch (err) {
      healthy = false;
      note(`${configured.role}: /healthz at ${base} did not answer (${(err as Error).message})`);
    }
    for (const state of states) note(`${configured.role}: ${state}`);
  }
  return healthy ? 0 : 1;
}
