/**
 * `npm start`: the whole link on this machine, on loopback. Starts the receiver (Ops side) and
 * the emitter (portal side) through the host, as production runs them, the emitter pointed at
 * the receiver, each with its embedded SQLite file under .data/ (settings: scripts/local-link.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FUNCTIONS } from '../host/served-functions';
import { HOST_NODE_ARGS, ROOT } from '../host/project.mjs';
import { banner, localLink, say, settingsFor } from './local-link';

const link = await localLink('start');

const children: ChildProcess[] = [];
for (const spec of Object.values(FUNCTIONS)) {
  const child = spawn(process.execPath, [...HOST_NODE_ARGS, join(ROOT, 'host/serve.mjs'), spec.name], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...settingsFor(link, spec) },
    stdio: 'inherit',
  });
  children.push(child);
  child.on('exit', (code) => {
    say('start', `${spec.name} exited`, { code });
    // One half without the other is not the link: stop both.
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
}

console.log(banner(link));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
}
