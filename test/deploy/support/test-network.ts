/**
 * The drill's network: one network namespace per test system, joined by a veth pair with
 * addresses from 10.254.0.0/16 and no default route, so the systems reach each other and
 * nothing else. Removed with everything in it at the end.
 */
import { mustRun, runCommand } from './run-command';

export interface TestNetwork {
  namespaces: Record<string, { netns: string; address: string }>;
  remove(): Promise<void>;
}

/** Two namespaces, `a` and `b`, named with `prefix`, at 10.254.0.<host> each. */
export async function makeNetwork(prefix: string, hosts: Record<string, number>): Promise<TestNetwork> {
  const names = Object.keys(hosts);
  if (names.length !== 2) throw new Error('the drill network joins exactly two systems');
  const netns = (name: string) => `${prefix}-${name}`;
  const link = (name: string) => `${prefix.slice(0, 8)}${hosts[name]}`;
  const made: string[] = [];
  const remove = async () => {
    for (const ns of made) await runCommand('ip', ['netns', 'del', ns]);
  };
  try {
    for (const name of names) {
      await mustRun('ip', ['netns', 'add', netns(name)]);
      made.push(netns(name));
    }
    const [a, b] = names as [string, string];
    await mustRun('ip', ['link', 'add', link(a), 'netns', netns(a), 'type', 'veth', 'peer', 'name', link(b), 'netns', netns(b)]);
    for (const name of names) {
      await mustRun('ip', ['-n', netns(name), 'addr', 'add', `10.254.0.${hosts[name]}/24`, 'dev', link(name)]);
      await mustRun('ip', ['-n', netns(name), 'link', 'set', link(name), 'up']);
      await mustRun('ip', ['-n', netns(name), 'link', 'set', 'lo', 'up']);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { namespaces: Object.fromEntries(names.map((name) => [name, { netns: netns(name), address: `10.254.0.${hosts[name]}` }])), remove };
}
