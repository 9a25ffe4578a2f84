/**
 * Servers in the browser, on the built API with its embedded Proxmox simulator (whose `vmbr0` pool,
 * 10.10.0.0/24, exists from the start): sign in, create three servers in one batch through the wizard's
 * naming pattern, watch the task reach completed with the generated passwords shown, and find the servers in
 * the list with their addresses. Then, on those servers: change one's memory, see the change pending, reboot
 * it ("restart to apply") and see it applied; from the list, shut one down and delete another (confirmed).
 */
import { startApiProcess, type ApiStack } from '@proxdeck/testing';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, type Browser } from './browser';

let stack: ApiStack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await startApiProcess();
  browser = await launchBrowser({ locale: 'en-US' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const NAMES = ['e2e-01', 'e2e-02', 'e2e-03'];
/** The page of the journey: the second test goes on where the first left off (signed in, three servers). */
let journeyPage: Page | undefined;

it('creates three servers in a batch and finds them in the list with their IPs', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  journeyPage = page;
  await page.goto(`${baseUrl}/login`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);
  await page.getByTestId('cluster-card').getByText('0 servers').waitFor();

  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Servers' })
    .click();
  await page.getByText('No servers yet — create one.').waitFor();
  await page.getByRole('link', { name: 'Create' }).first().click();
  await page.waitForURL(`${baseUrl}/servers/new`);

  // The pattern: base name and the default count of three, previewed as they will be named.
  await page.getByText('A batch', { exact: true }).click();
  await page.getByRole('textbox', { name: /^Base name/ }).fill('e2e');
  await page
    .getByTestId('name-preview')
    .getByText(`Names: ${NAMES.join(', ')}`)
    .waitFor();
  await page.getByRole('button', { name: 'Create 3 servers' }).click();

  // Each server's progress, to the end; no password was given, so each has one, shown this once.
  const progress = page.getByTestId('creation-progress');
  for (const name of NAMES) await progress.getByTestId(`item-${name}`).waitFor();
  await progress.getByTestId('task-status').getByText('Completed').waitFor({ timeout: 45_000 });
  for (const name of NAMES) {
    await progress.getByTestId(`item-${name}`).getByText('Completed').waitFor();
    await page.getByTestId('generated-secrets').getByText(name, { exact: true }).waitFor();
  }

  // The list: the three servers with addresses from the simulator's pool.
  await page.getByRole('link', { name: 'Go to the servers' }).click();
  await page.waitForURL(`${baseUrl}/servers`);
  for (const name of NAMES) {
    const row = page.getByTestId(`server-row-${name}`);
    await row.getByText(/^10\.10\.0\.\d+$/).waitFor();
  }
  const addresses = await Promise.all(
    NAMES.map((name) =>
      page
        .getByTestId(`server-row-${name}`)
        .getByText(/^10\.10\.0\.\d+$/)
        .textContent(),
    ),
  );
  expect(new Set(addresses).size).toBe(3);
});

it('changes a server’s memory, reboots it to apply the change, then shuts one down and deletes another', async () => {
  const { baseUrl } = stack!;
  const page = journeyPage;
  if (!page) throw new Error('the creation journey did not run');

  // Open e2e-01 from the list, then its configuration.
  await page.getByTestId('server-row-e2e-01').getByRole('link', { name: 'e2e-01' }).click();
  await page.waitForURL(`${baseUrl}/servers/e2e-01`);
  await page.getByRole('tab', { name: 'Configuration' }).click();
  const memory = page.getByRole('textbox', { name: 'Memory (MB)' });
  await memory.waitFor();
  const before = Number(await memory.inputValue());
  const after = before + 1024;

  // A running server takes the memory at its next restart: the change shows as pending.
  await memory.fill(String(after));
  await page.getByRole('button', { name: 'Save changes' }).click();
  const pending = page.getByTestId('pending-changes');
  await pending.getByText(`After the restart: ${String(after)} (now ${String(before)})`).waitFor();

  // Restart to apply: a reboot task, followed to its end; then nothing is pending and the memory is the new one.
  await pending.getByRole('button', { name: 'Restart to apply' }).click();
  const progress = page.getByTestId('action-progress');
  await progress.getByText('Reboot e2e-01').waitFor();
  await progress.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
  await pending.waitFor({ state: 'detached', timeout: 15_000 });
  // The configuration was read again (nothing pending): the form holds what the server runs with now.
  expect(await memory.inputValue()).toBe(String(after));

  // The list: shut e2e-02 down from its row (its shutdown options asked first), then delete e2e-03 after the
  // confirmation naming it.
  await page.getByRole('link', { name: 'Servers' }).first().click();
  await page.waitForURL(`${baseUrl}/servers`);
  await page.getByRole('button', { name: 'Actions for e2e-02' }).click();
  await page.getByRole('menuitem', { name: 'Shut down' }).click();
  await page
    .getByRole('dialog', { name: 'Shut down e2e-02' })
    .getByRole('button', { name: 'Shut down', exact: true })
    .click();
  const summary = page.getByTestId('bulk-summary');
  await summary.getByTestId('bulk-ok-e2e-02').waitFor({ timeout: 45_000 });
  await page
    .getByTestId('server-row-e2e-02')
    .getByText('Stopped', { exact: true })
    .waitFor({ timeout: 15_000 });
  await summary.getByRole('button', { name: 'Dismiss' }).click();

  await page.getByRole('button', { name: 'Actions for e2e-03' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete e2e-03?' });
  await dialog.getByText('Destroyed: e2e-03').waitFor();
  await dialog.getByRole('button', { name: 'Delete e2e-03' }).click();
  await summary.getByTestId('bulk-ok-e2e-03').waitFor({ timeout: 45_000 });
  await page.getByTestId('server-row-e2e-03').waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByTestId('server-row-e2e-01').waitFor();
  expect(await summary.textContent()).toContain('1 succeeded');
});
