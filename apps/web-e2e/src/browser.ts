/**
 * Debian's Chromium (never a downloaded browser) through playwright-core, headless, with a fresh profile
 * directory that is removed again on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(options: { locale?: string } = {}): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'proxdeck-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_FLAGS,
      locale: options.locale ?? 'en-US',
      viewport: { width: 1280, height: 800 },
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Fills the login form of the page and submits it. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Imports the simulator's unmanaged VMs (a sync task), from inside the signed-in page. */
export async function importVms(page: Page): Promise<void> {
  const taskId = await page.evaluate(async () => {
    const session = (await (await fetch('/api/session/check', { credentials: 'include' })).json()) as {
      data: { csrf_token: string };
    };
    const response = await fetch('/api/sync_servers', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.data.csrf_token },
      body: JSON.stringify({ import_unmanaged: true }),
    });
    return ((await response.json()) as { data: { task_id: string } }).data.task_id;
  });
  await page.waitForFunction(
    async (id) => {
      const response = await fetch(`/api/tasks/${id}/status`, { credentials: 'include' });
      const body = (await response.json()) as { data: { status: string } };
      return body.data.status === 'completed';
    },
    taskId,
    { timeout: 30_000, polling: 200 },
  );
}
