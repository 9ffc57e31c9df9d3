/** The runtime the project promises: its own Node, one workerd, and the newest compatibility date that workerd accepts. */
import { execFileSync } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerdBinary } from '../../host/workerd/supervisor';
import { ROOT } from '../../host/project.mjs';
import { readCompatibility } from '../../host/wrangler-toml';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};

describe('runtime', () => {
  it('runs the tests on the Node the project pins, which satisfies its engines', () => {
    const [, low, below] = /^>=(\d+\.\d+\.\d+) <(\d+)$/.exec(manifest.engines.node)!;
    const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
    const [lowMajor, lowMinor, lowPatch] = low!.split('.').map(Number) as [number, number, number];
    const atLeast = major !== lowMajor ? major > lowMajor : minor !== lowMinor ? minor > lowMinor : patch >= lowPatch;
    expect(atLeast).toBe(true);
    expect(major).toBeLessThan(Number(below));
    expect(process.versions.node).toBe(manifest.dependencies.node);
  });

  it('has one workerd, one Miniflare and one Wrangler in the tree, the workerd the host runs', () => {
    const versions = (name: string) =>
      new Set(
        globSync(`node_modules/**/${name}/package.json`, { cwd: ROOT })
          .filter((path) => new RegExp(`(^|/)node_modules/${name}/package\\.json$`).test(path))
          .map((path) => (JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { version: string }).version),
      );
    expect(versions('workerd')).toEqual(new Set([manifest.dependencies.workerd]));
    expect(versions('miniflare').size).toBe(1);
    expect(versions('wrangler').size).toBe(1);
    expect(workerdBinary()).toContain(join('node_modules', '@cloudflare', 'workerd-linux-64'));
  });

  it('uses the newest compatibility date that workerd accepts, read from wrangler.toml', () => {
    const version = execFileSync(workerdBinary(), ['--version'], { encoding: 'utf8' });
    expect(version.trim()).toBe(`workerd ${readCompatibility().date}`);
  });
});
