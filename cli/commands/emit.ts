/**
 * `ops-webhook emit EVENT DOMAIN SESSION_ID [DATA_JSON]` on VM112: hands one event to the local
 * emitter as the portal would (POST /v1/events with its API token) and prints its answer.
 */
import { pickRole, localEndpoint } from '../configured';
import { fetchText } from '../https-client';
import { done, StepFailure } from '../report';

export async function emit(args: string[]): Promise<void> {
  const [event, domain, sessionId, dataJson] = args;
  if (!event || !domain || !sessionId) throw new StepFailure('emit', 'EVENT, DOMAIN and SESSION_ID are required', `ops-webhook emit account.created example.com sess-1 '{"admin_email":"admin@example.com"}'`);
  let data: unknown = {};
  if (dataJson !== undefined) {
    try {
      data = JSON.parse(dataJson);
    } catch {
      throw new StepFailure('emit', 'DATA_JSON is not JSON', `quote it for the shell: '{"admin_email":"admin@example.com"}'`);
    }
  }
  const emitter = pickRole('emit', 'emitter');
  const token = emitter.env.EMITTER_API_TOKEN;
  if (!token) throw new StepFailure('emit', 'EMITTER_API_TOKEN is not in emitter.env', 'ops-webhook setup emitter --pair FILE (it makes the token)');
  const { base, tls } = localEndpoint(emitter);
  const body = JSON.stringify({ event, domain, session_id: sessionId, data });
  let answer;
  try {
    answer = await fetchText(`${base}/v1/events`, { method: 'POST', body, tls, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  } catch (err) {
    throw new StepFailure('emit', `the emitter did not answer at ${base} (${(err as Error).message})`, 'systemctl status ops-webhook-emitter; ops-webhook doctor');
  }
  if (answer.status !== 202) throw new StepFailure('emit', `the emitter answered ${answer.status}: ${answer.body.slice(0, 500)}`, answer.status === 422 ? 'fix the fields it names' : 'ops-webhook doctor');
  done(`${event} ${domain} ${sessionId} accepted`, answer.body.trim());
}
