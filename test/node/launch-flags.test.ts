/** Every place that starts the host gives Node the same flags (host/project.mjs HOST_NODE_ARGS). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_NODE_ARGS, ROOT } from '../../host/project.mjs';
import { runServe } from '../../scripts/support/serve-process';

const FLAGS = HOST_NODE_ARGS.join(' ');

describe('host launch flags', () => {
  it('are in package.json’s serve script', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.serve).toBe(`node ${FLAGS} host/serve.mjs`);
  });

  it('are in the packaged systemd units, which run the package’s own Node (the one the tests ran), not the distro’s', () => {
    for (const name of ['receiver', 'emitter']) {
      const unit = readFileSync(join(ROOT, `deploy/systemd/ops-webhook-${name}.service`), 'utf8');
      expect(unit).toContain(`ExecStart=/usr/lib/ops-webhook/bin/node ${FLAGS} /usr/lib/ops-webhook/host/serve.mjs ${name}`);
      expect(unit).toContain(`Requires=ops-webhook-${name}.socket`);
      expect(readFileSync(join(ROOT, `deploy/systemd/ops-webhook-${name}.socket`), 'utf8')).toContain('FileDescriptorName=http');
    }
  });

  it('warns at start, naming them, when the host runs without them', async () => {
    const { output } = await runServe('receiver', { WEBHOOK_SECRET: 'short' }, []);
    const warning = output.split('\n').find((l) => l.includes('without the host'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', missing: HOST_NODE_ARGS });
  });
});
