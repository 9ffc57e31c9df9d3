/**
 * The layering, enforced: every relative import in the production code (host/, functions/, db/)
 * is checked against the rules docs/development.md states (Layout). A new import that crosses a
 * line fails here, naming the file, the import and the rule.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../host/project.mjs';

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const FUNCTIONS_WITH_FEATURES = ['receiver', 'emitter'];

/**
 * Files a feature shows to the rest of the code: its index.ts, and its settings (`*-settings.ts`),
 * which a function's config.ts spreads into its schema and which load without the feature's code
 * (the host's preflight reads every function's schema). Everything else in its folder is its own.
 */
const isEntryPoint = (path: string) => path === 'index.ts' || /^[a-z-]+-settings\.ts$/.test(path);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.mts') ? [path] : [];
  });
}

/** The files `file` imports (relative specifiers only), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  // `import … from`, `export … from`, `import '…'` and `import('…')`: each names its module after `from` or `import`.
  return [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)]
    .map((m) => m[1]!)
    .map((spec) => resolveSource(relative(ROOT, resolve(ROOT, dirname(file), spec))));
}

function resolveSource(path: string): string {
  for (const candidate of [path, `${path}.ts`, `${path}.tsx`, `${path}.mts`, join(path, 'index.ts')]) {
    try {
      if (statSync(join(ROOT, candidate)).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return path;
}

/**
 * The feature a file belongs to: `functions/<function>/<folder>` for a function's feature
 * folders, `functions/operator-area` for the area both functions mount; undefined otherwise (a
 * function's own top-level files, the platform, the contract).
 */
function featureOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'functions') return undefined;
  if (parts[1] === 'operator-area') return 'functions/operator-area';
  if (FUNCTIONS_WITH_FEATURES.includes(parts[1]!) && parts.length > 3) return parts.slice(0, 3).join('/');
  return undefined;
}

function functionOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'functions' && FUNCTIONS_WITH_FEATURES.includes(parts[1]!) ? parts[1] : undefined;
}

const under = (file: string, dir: string) => file.startsWith(`${dir}/`);

/** Why `from` may not import `to`, or undefined when it may. */
export function ruleBroken(from: string, to: string): string | undefined {
  if (under(from, 'db') && (under(to, 'functions') || under(to, 'host'))) return 'db/ imports nothing from functions/ or host/';
  if (under(from, 'host') && under(to, 'functions') && !under(to, 'functions/host-contract')) {
    return 'the host imports from functions/ only functions/host-contract/ (what the host may know)';
  }
  if (from === 'functions/host-contract/wire-names.ts' && to !== from) return 'wire-names.ts has no dependencies (the long-running host loads it)';
  if (under(from, 'functions/contract') && under(to, 'functions') && !under(to, 'functions/contract')) {
    return 'the contract (event catalog, signing) imports nothing from the rest of functions/, the platform\'s HTTP code included';
  }
  if (under(from, 'functions/platform') && (featureOf(to) !== undefined || functionOf(to) !== undefined)) {
    return 'platform code imports no feature and no function';
  }
  if (under(from, 'functions') && under(to, 'host')) return 'functions/ import nothing from host/';
  const [fromFn, toFn] = [functionOf(from), functionOf(to)];
  if (fromFn !== undefined && toFn !== undefined && fromFn !== toFn) return `the ${fromFn} imports nothing of the ${toFn}`;
  const target = featureOf(to);
  if (target !== undefined && featureOf(from) !== target) {
    const entry = relative(target, to);
    // A function's wiring (its index.ts) mounts each feature's routes.
    if (from === `functions/${functionOf(to)}/index.ts` && /^routes\.tsx?$/.test(entry)) return undefined;
    if (!isEntryPoint(entry)) return `a feature is reached only through its entry points (${target}/index.ts, *-settings.ts), not ${entry}`;
  }
  return undefined;
}

describe('the import rules', () => {
  it('hold for every production file', () => {
    const files = ['host', 'functions', 'db'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const broken = files.flatMap((from) =>
      importsOf(from).flatMap((to) => {
        const why = ruleBroken(from, to);
        return why === undefined ? [] : [`${from} → ${to}: ${why}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  // Each rule, shown to fail on the import it forbids.
  it.each([
    ['functions/receiver/metrics/routes.ts', 'functions/receiver/intake/rejections.ts', 'entry points'],
    ['functions/receiver/desk/routes.tsx', 'functions/operator-area/ui/layout.tsx', 'entry points'],
    ['functions/receiver/intake/routes.ts', 'functions/emitter/events/accept-event.ts', 'imports nothing of the emitter'],
    ['host/main.ts', 'functions/platform/logger.ts', 'host-contract'],
    ['functions/contract/event-catalog.ts', 'functions/platform/http/http-errors.ts', 'the contract'],
    ['functions/platform/http/request-context.ts', 'functions/operator-area/index.ts', 'platform code'],
    ['functions/platform/settings/config.ts', 'functions/receiver/config.ts', 'platform code'],
    ['db/receiver/intake.ts', 'functions/contract/event-catalog.ts', 'db/'],
    ['functions/host-contract/wire-names.ts', 'functions/platform/logger.ts', 'no dependencies'],
    ['functions/receiver/health/routes.ts', 'host/storage.ts', 'nothing from host/'],
  ])('refuses %s → %s', (from, to, reason) => {
    expect(ruleBroken(from, to)).toContain(reason);
  });

  it.each([
    ['functions/receiver/index.ts', 'functions/receiver/desk/routes.tsx'],
    ['functions/receiver/desk/routes.tsx', 'functions/operator-area/index.ts'],
    ['functions/receiver/config.ts', 'functions/operator-area/operator-settings.ts'],
    ['functions/receiver/config.ts', 'functions/receiver/notify-outbox/notify-settings.ts'],
    ['functions/receiver/intake/routes.ts', 'functions/receiver/intake/intake-event.ts'],
    ['functions/receiver/intake/routes.ts', 'functions/receiver/types.ts'],
    ['functions/platform/http/event-body.ts', 'functions/contract/event-catalog.ts'],
    ['host/main.ts', 'functions/host-contract/logger.ts'],
  ])('allows %s → %s', (from, to) => {
    expect(ruleBroken(from, to)).toBeUndefined();
  });
});
