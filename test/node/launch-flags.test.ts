/** Every place that starts the host gives Node the same flags (host/project.mjs HOST_NODE_ARGS). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_NODE_ARGS, ROOT } from '../../host/project.mjs';
import { runServe } from '../../scripts/support/serve-process';

const FLAGS = HOST_NODE_ARGS.join(' ');

describe('host launch flags', () => {
  it('are in package.json’s serve script and in the systemd unit the README gives', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.serve).toBe(`node ${FLAGS} host/serve.mjs`);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const execStarts = [...readme.matchAll(/^ExecStart=(.*)$/gm)].map((m) => m[1]);
    expect(execStarts.length).toBeGreaterThan(0);
    for (const line of execStarts) expect(line).toContain(`node ${FLAGS} host/serve.mjs`);
    // Production runs the Node the tests ran (the project's pinned one), not the distro's.
    for (const line of execStarts) expect(line).toMatch(/^\/opt\/ops-webhook\/node_modules\/\.bin\/node /);
  });

  it('are in the systemd units under deploy/systemd, which the README shows as they are', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of ['receiver', 'emitter']) {
      const unit = readFileSync(join(ROOT, `deploy/systemd/ops-webhook-${name}.service`), 'utf8');
      expect(unit).toContain(`ExecStart=/opt/ops-webhook/node_modules/.bin/node ${FLAGS} host/serve.mjs ${name}`);
      expect(unit).toContain(`Requires=ops-webhook-${name}.socket`);
      expect(readFileSync(join(ROOT, `deploy/systemd/ops-webhook-${name}.socket`), 'utf8')).toContain('FileDescriptorName=http');
    }
    expect(readme).toContain(readFileSync(join(ROOT, 'deploy/systemd/ops-webhook-receiver.service'), 'utf8').trimEnd());
    expect(readme).toContain(readFileSync(join(ROOT, 'deploy/systemd/ops-webhook-receiver.socket'), 'utf8').trimEnd());
  });

  it('warns at start, naming them, when the host runs without them', async () => {
    const { output } = await runServe('receiver', { WEBHOOK_SECRET: 'short' }, []);
    const warning = output.split('\n').find((l) => l.includes('without the host'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', missing: HOST_NODE_ARGS });
  });
});
