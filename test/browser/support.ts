import type { INestApplicationContext } from '@nestjs/common';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../support/api.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, uniqueEmail } from '../support/http.js';
import { ensureWebAppBuilt } from '../support/web-app.js';
import { startTestWorker } from '../support/worker.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';

export const FORGEJO_TOKEN = 'forgejo-test-token-browser';
export const PASSWORD = 'correct horse battery';

export interface WebStack {
  api: TestApi;
  /** the API's URL, which is also its BASE_URL: the Origin the cookie check expects */
  url: string;
  browser: TestBrowser;
  forgejo: FakeForgejo | null;
  smtp: TestSmtp | null;
  worker: INestApplicationContext | null;
  adminToken: string;
  close(): Promise<void>;
}

/**
 * What a browser test file runs against: the built web app served by the real API (its own database, BASE_URL
 * the URL it serves on, the admin account of adminEnv), optionally the fake Forgejo, the SMTP server and the
 * worker, and one Chromium.
 */
export async function startWebStack({ sync = false }: { sync?: boolean } = {}): Promise<WebStack> {
  await ensureWebAppBuilt();
  const forgejo = sync ? await new FakeForgejo(FORGEJO_TOKEN).start() : null;
  const smtp = sync ? await startSmtp() : null;
  const env: Record<string, string> = {
    ...adminEnv,
    AUTH_RATE_LIMIT: '1000',
    WEBHOOK_RATE_LIMIT: '100000',
    ...(forgejo ? { FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: FORGEJO_TOKEN, FORGEJO_TIMEOUT_MS: '10000' } : {}),
    ...(smtp ? { SMTP_URL: smtp.url } : {}),
  };
  const api = await startTestApi(env, undefined, { baseUrlIsServed: true });
  const url = api.url;
  const worker = sync ? await startTestWorker(api.config) : null;
  const browser = await launchBrowser();
  return {
    api,
    url,
    browser,
    forgejo,
    smtp,
    worker,
    adminToken: await adminToken(url),
    async close() {
      await browser.close();
      await worker?.close();
      await api.close();
      await smtp?.close();
      await forgejo?.stop();
    },
  };
}

/** An account made through the API (not the browser): its email, password and bearer token. */
export async function customerAccount(url: string, prefix = 'browser'): Promise<{ email: string; password: string; token: string }> {
  const email = uniqueEmail(prefix);
  const registered = await call(url, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await call(url, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { email, password: PASSWORD, token: login.body.token };
}

export async function fileTicket(url: string, token: string, repo: string, title: string, description = 'It really is.'): Promise<string> {
  const created = await call(url, 'POST', '/tickets', { token, body: { repo, title, description } });
  if (created.status !== 201) throw new Error(`ticket create failed: ${created.status} ${created.text}`);
  return created.body.id;
}

/** Signs in through the sign-in page, as a person would, and waits for the ticket list. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/app/sign-in`);
  await h1(page, 'Sign in').waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await h1(page, 'Your tickets').waitFor();
}

/** A context signed in as `email` (through the sign-in page), with one page on the ticket list. */
export async function signedInPage(stack: WebStack, email: string, password: string, options: Parameters<TestBrowser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, stack.url, email, password);
  return { context, page };
}

/** The page's one <h1>, when its text is `name` (exactly). */
export function h1(page: Page, name: string | RegExp): Locator {
  return page.getByRole('heading', { level: 1, name, exact: typeof name === 'string' });
}

/** Waits until `locator` shows `text` (a match in its text), failing with what it shows instead. */
export async function waitForText(locator: Locator, text: string | RegExp, timeout = 10_000): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await locator.allInnerTexts().catch(() => ['(gone)']);
    throw new Error(`waited ${timeout} ms for ${locator} to show ${text}; it shows ${JSON.stringify(shown)}`);
  }
}

/** Marks the current document, so that a later check can tell that no reload or navigation happened since. */
export async function markDocument(page: Page): Promise<() => Promise<boolean>> {
  const mark = `tb-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(`window.__testMark = ${JSON.stringify(mark)}`);
  return async () => (await page.evaluate('window.__testMark')) === mark;
}

export function conversation(page: Page): Locator {
  return page.getByRole('list', { name: 'Conversation' }).getByRole('listitem');
}

export function ticketItems(page: Page): Locator {
  return page.getByRole('list', { name: 'Tickets' }).getByRole('listitem');
}
