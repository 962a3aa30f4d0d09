import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { repoRoot } from './processes.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// these machines have no network: nothing in the background may try to reach one
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS_DIR = join(repoRoot, 'docs', 'screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface TestBrowser {
  browser: Browser;
  /** A context of its own (cookies, storage): one per user. Its pages are watched (see `problems`). */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Every dialog, console error and uncaught page error any watched page has seen, in order. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Debian's Chromium through playwright-core, on a fresh user-data dir of its own (removed on close). One per test
 * file: a launch costs a second or two of the two cores, a context next to nothing.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tb-chromium-'));
  const persistent = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: DESKTOP });
  const browser = persistent.browser()!;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    problems,
    async newContext(options = {}) {
      const context = await browser.newContext({ viewport: DESKTOP, ...options });
      contexts.push(context);
      context.on('page', (page) => watchPage(page, problems));
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await persistent.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records what must never happen on a page: a dialog (dismissed, so the page goes on), a console error (CSP
 * refusals land there) or an uncaught error. Chromium also logs each 4xx answer as a console error ("Failed to
 * load resource"); those are the API's answers the page expects and shows (401 from /auth/me, 403 …), not
 * script failures, so they are left out; 5xx ones are kept.
 */
export function watchPage(page: Page, problems: string[]): void {
  page.on('dialog', (dialog) => {
    problems.push(`${dialog.type()} dialog on ${page.url()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d\b/.test(message.text())) return;
    problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
}

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core in the page and returns its serious and critical violations. The script goes in by evaluation
 * (DevTools protocol), not by a <script> tag, which the page's CSP would refuse: the CSP stays on.
 */
export async function a11yViolations(page: Page): Promise<A11yViolation[]> {
  axeSource ??= readFile(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${await axeSource}\n;undefined`);
  const violations = (await page.evaluate(`window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
  })))`)) as A11yViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a full-page PNG of `page` as docs/screenshots/<name>.png (for the README); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** How far the page scrolls sideways: the document's scroll width (at most the viewport's width when nothing overflows). */
export async function scrollWidth(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth')) as number;
}
