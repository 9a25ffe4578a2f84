/**
 * Live events in the browser: two tabs of one signed-in admin. A notification raised in one tab reaches the
 * other through the event stream (a toast, the bell's count, the open notifications page) without a reload;
 * so does a task started in one tab (its progress on its page, then its end, and the toast of its
 * notification); after an API restart the stream comes back by itself and the dashboard follows a new task.
 */
import { join } from 'node:path';
import {
  freePort,
  openSse,
  startApiProcess,
  startNodeProcess,
  waitFor,
  WORKSPACE_ROOT,
  type ApiStack,
  type ManagedProcess,
} from '@proxdeck/testing';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, signIn, type Browser } from './browser';

let stack: ApiStack | undefined;
let browser: Browser | undefined;
let restarted: ManagedProcess | undefined;

beforeAll(async () => {
  // A task longer than a second notifies its creator when it completes (the default is a minute).
  stack = await startApiProcess({ env: { NOTIFY_TASKS_LONGER_THAN_S: '1' } });
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

/** POST /api/test/simple from inside the page (as raiseNotification does): a task of four equal steps. */
async function startTestTask(page: Page, durationMs: number): Promise<string> {
  return page.evaluate(async (duration_ms) => {
    const check = await fetch('/api/session/check');
    const session = (await check.json()) as { data: { csrf_token: string } };
    const response = await fetch('/api/test/simple', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.data.csrf_token },
      body: JSON.stringify({ duration_ms }),
    });
    if (response.status !== 202) throw new Error(`POST /api/test/simple answered ${String(response.status)}`);
    return ((await response.json()) as { data: { task_id: string } }).data.task_id;
  }, durationMs);
}

function statusBadge(scope: Page | Locator, status: string) {
  return scope.locator(`[data-status="${status}"]`).first();
}

it('streams through the Vite dev server’s proxy as it comes, unbuffered', async () => {
  if (!stack) throw new Error('no stack');
  const port = await freePort();
  const vite = startNodeProcess(
    join(WORKSPACE_ROOT, 'node_modules/vite/bin/vite.js'),
    { API_URL: stack.baseUrl, WEB_PORT: String(port) },
    'vite',
    ['--config', 'apps/web/vite.config.ts'],
  );
  const viaVite = `http://127.0.0.1:${String(port)}`;
  try {
    // Any answer of the API through the proxy (the session check is a 401 without a session) means it is up.
    await waitFor(
      async () => {
        const answer = await fetch(`${viaVite}/api/session/check`).catch(() => null);
        return answer && answer.status < 500 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the Vite dev server' },
    );
    const login = await fetch(`${viaVite}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: stack.adminUsername, password: stack.adminPassword }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = ((await login.json()) as { data: { csrf_token: string } }).data.csrf_token;
    const stream = await openSse(`${viaVite}/api/notifications/stream`, { cookie });
    try {
      expect(stream.status).toBe(200);
      await stream.waitFor((client) => (client.frames.length > 0 ? true : undefined), 'the first frame');
      const raised = await fetch(`${viaVite}/api/test/notification`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Through Vite', message: 'proxied' }),
      });
      expect(raised.status).toBe(201);
      const event = await stream.waitFor(
        (client) => client.events().find((candidate) => candidate.event === 'notification'),
        'the notification through the proxy',
      );
      expect(event.data).toMatchObject({ title: 'Through Vite' });
    } finally {
      stream.close();
      // The next journey starts with no notifications.
      await fetch(`${viaVite}/api/notifications/clear-all`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
    }
  } finally {
    await vite.stop();
  }
});

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

  // A task started in the first tab: the second follows it from the tasks page to its own page, live.
  await second
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Tasks' })
    .click();
  await second.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
  const taskId = await startTestTask(first, 6_000);
  await second.getByTestId(`task-${taskId}`).getByRole('link', { name: 'Test task' }).click();
  await second.waitForURL(`${baseUrl}/tasks/${taskId}`);
  const progress = second.getByRole('progressbar', { name: 'Progress of Test task' });
  // The four steps end at 25, 50, 75 and 100 %: one between start and end is seen as it happens.
  await progress
    .and(second.locator('[aria-valuenow="50"], [aria-valuenow="75"]'))
    .waitFor({ timeout: 15_000 });
  await statusBadge(second, 'completed').waitFor({ timeout: 15_000 });
  expect(await progress.getAttribute('aria-valuenow')).toBe('100');
  // Its notification (it ran longer than NOTIFY_TASKS_LONGER_THAN_S) arrives as a toast linking to it.
  const taskToast = second.getByRole('alert').filter({ hasText: 'Task test.simple completed' });
  await taskToast.waitFor();
  expect(await taskToast.getByRole('link', { name: 'View the task' }).getAttribute('href')).toBe(
    `/tasks/${taskId}`,
  );
  await second.getByRole('button', { name: 'Show the result' }).waitFor();
  expect(await second.evaluate(() => document.documentElement.dataset.marker)).toBe('not reloaded');

  // The API restarts: the indicator says so, and the stream comes back by itself.
  await stack!.api.stop();
  await liveIndicator(second, 'reconnecting').waitFor();
  restarted = startNodeProcess(join(WORKSPACE_ROOT, 'apps/api/dist/main.js'), stack!.env, 'api');
  await liveIndicator(second, 'open').waitFor({ timeout: 60_000 });

  // Still live: the next notification arrives too (the task's was the second) ...
  expect(await raiseNotification(first, 'Disk of db-1 almost full', '91 % used')).toBe(201);
  await second.getByRole('button', { name: 'Notifications, 3 unread' }).waitFor();

  // ... and the dashboard follows a new task to its end.
  await second
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Dashboard' })
    .click();
  await second.getByRole('region', { name: 'Tasks' }).waitFor();
  const nextTaskId = await startTestTask(first, 2_000);
  const finished = second
    .getByRole('list', { name: 'Recently finished' })
    .getByTestId(`dashboard-task-${nextTaskId}`);
  await statusBadge(finished, 'completed').waitFor({ timeout: 15_000 });
  expect(await second.evaluate(() => document.documentElement.dataset.marker)).toBe('not reloaded');
});
