/**
 * A real Chromium for the operator-page tests, from the npm registry (@sparticuz/chromium ships
 * the binary inside the package, so a fresh machine needs nothing else), driven by playwright-core;
 * an accessibility scan with axe-core; and a screenshot under test/output/ when a test fails.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../host/project.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const OUTPUT = join(ROOT, 'test/output');

export async function launchBrowser(): Promise<Browser> {
  // The package's arguments are made for AWS Lambda; one browser process per test file wants separate processes.
  const args = chromium.args.filter((a) => a !== '--single-process');
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true });
}

/** Signs in through the page's own form. */
export async function signIn(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Serious and critical accessibility violations axe-core finds on the page (CSP is bypassed in `context` to inject it). */
export async function accessibilityViolations(context: BrowserContext, url: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${url}: ${v.id} (${v.impact}, ${v.count})`);
  } finally {
    await page.close();
  }
}

/** True when the page scrolls sideways. */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** Runs `body`; on failure keeps a screenshot of `page` as test/output/<name>.png, then fails. */
export async function withScreenshotOnFailure(page: Page, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }
}
