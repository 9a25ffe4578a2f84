/**
 * Live events in the browser: two tabs of one signed-in admin. A notification raised in one tab reaches the
 * other through the event stream (a toast, the bell's count, the open notifications page) without a reload;
 * after an API restart the stream comes back by itself.
 */
import { join } from 'node:path';
import {
  startApiProcess,
  startNodeProcess,
  WORKSPACE_ROOT,
  type ApiStack,
  type ManagedProcess,
} from '@proxdeck/testing';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, type Browser } from './browser';

let stack: ApiStack | undefined;
let browser: Browser | undefined;
let restarted: ManagedProcess | undefined;

beforeAll(async () => {
  stack = await startApiProcess();
  browser = await launchBrowser({ locale: 'en-US' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await restarted?.stop();
  await stack?.stop();
});

function liveIndicator(page: Page, state: 'open' | 'reconnecting') {
  return page.locator(`[data-testid="live-indicator"][data-state="${state}"]`);
}

/** POST /api/test/notification from inside the page, with its cookie and its session's CSRF token. */
async function raiseNotification(page: Page, title: string, message: string): Promise<number> {
  return page.evaluate(
    async ({ title, message }) => {
      const check = await fetch('/api/session/check');
      const session = (await check.json()) as { data: { csrf_token: string } };
      const response = await fetch('/api/test/notification', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.data.csrf_token },
        body: JSON.stringify({ title, message, severity: 'error' }),
      });
      return response.status;
    },
    { title, message },
  );
}

it('shows a notification raised in one tab in the other, live, and reconnects after an API restart', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const first = await browser!.context.newPage();
  await first.goto(`${baseUrl}/login`);
  await signIn(first, adminUsername, adminPassword);
  await first.waitForURL(`${baseUrl}/`);

  // The second tab shares the session; it shows the notifications page.
  const second = await browser!.context.newPage();
  await second.goto(`${baseUrl}/notifications`);
  await second.getByText('You have no notifications.').waitFor();
  await second.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  for (const page of [first, second]) await liveIndicator(page, 'open').waitFor();
  expect(await second.getByTestId('live-indicator').textContent()).toBe('Live');
  await second.evaluate(() => {
    document.documentElement.dataset.marker = 'not reloaded';
  });

  expect(await raiseNotification(first, 'Backup of web-1 failed', 'vzdump ended with exit code 5')).toBe(201);

  // The other tab: a toast, the bell's count and the page's list, without a reload.
  await second.getByRole('alert').filter({ hasText: 'Backup of web-1 failed' }).waitFor();
  await second.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
  await second
    .getByRole('list', { name: 'Notifications' })
    .getByText('vzdump ended with exit code 5')
    .waitFor();
  expect(await second.evaluate(() => document.documentElement.dataset.marker)).toBe('not reloaded');

  // The API restarts: the indicator says so, and the stream comes back by itself.
  await stack!.api.stop();
  await liveIndicator(second, 'reconnecting').waitFor();
  restarted = startNodeProcess(join(WORKSPACE_ROOT, 'apps/api/dist/main.js'), stack!.env, 'api');
  await liveIndicator(second, 'open').waitFor({ timeout: 60_000 });

  // Still live: the next notification arrives too.
  expect(await raiseNotification(first, 'Disk of db-1 almost full', '91 % used')).toBe(201);
  await second.getByRole('button', { name: 'Notifications, 2 unread' }).waitFor();
  expect(await second.evaluate(() => document.documentElement.dataset.marker)).toBe('not reloaded');
});
