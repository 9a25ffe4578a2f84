/**
 * Backups in the browser, on the built API with its embedded Proxmox simulator: back a server up from its
 * backups tab and see the archive listed (on the tab and on the cluster-wide page), restore it as a new server
 * that ends up running with its own address, and create a nightly schedule that Proxmox will run, with its
 * next runs previewed as it is typed.
 */
import { startApiProcess, type ApiStack } from '@proxdeck/testing';
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

it('backs a server up, lists the archive, restores it as a new server and creates a nightly schedule', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  await page.goto(`${baseUrl}/login`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);

  // A server to back up, created through the API with the page's session (the wizard has its own journey).
  const created = await page.evaluate(async () => {
    const session = (await (await fetch('/api/session/check')).json()) as { data: { csrf_token: string } };
    const response = await fetch('/api/servers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.data.csrf_token },
      body: JSON.stringify({ name: 'bk-web', cpu: 1, memory: 1024, vm_password: 'a-long-password' }),
    });
    return response.status;
  });
  expect(created).toBe(202);
  await page.goto(`${baseUrl}/servers`);
  await page
    .getByTestId('server-row-bk-web')
    .getByText(/^10\.10\.0\.\d+$/)
    .waitFor({ timeout: 60_000 });
  await page
    .getByTestId('server-row-bk-web')
    .getByText('Running', { exact: true })
    .waitFor({ timeout: 60_000 });
  const originalIp = await page
    .getByTestId('server-row-bk-web')
    .getByText(/^10\.10\.0\.\d+$/)
    .textContent();

  // Its backups tab: none yet; back it up now and see the archive appear when the task ends (live).
  await page.getByTestId('server-row-bk-web').getByRole('link', { name: 'bk-web' }).click();
  await page.waitForURL(`${baseUrl}/servers/bk-web`);
  await page.getByRole('tab', { name: 'Backups' }).click();
  await page.getByText('This server has no backup yet.').waitFor();
  await page.getByRole('button', { name: 'Back up now' }).click();
  const run = page.getByRole('dialog', { name: 'Back up bk-web' });
  await run.getByRole('textbox', { name: 'Notes' }).fill('before the upgrade');
  await run.getByRole('button', { name: 'Start backup' }).click();
  await page.getByText('Backup of bk-web started').waitFor();
  const table = page.getByRole('table', { name: 'Backups' });
  await table.getByText('before the upgrade').waitFor({ timeout: 60_000 });
  const archive = (await table.getByText(/^vzdump-qemu-\d+-.*\.vma\.zst$/).textContent()) ?? '';
  expect(archive).toMatch(/^vzdump-qemu-\d+-/);

  // The cluster-wide list has it too, under its server.
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Backups' })
    .click();
  await page.waitForURL(`${baseUrl}/backups`);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'bk-web' }) });
  await row.getByText(archive).waitFor();

  // Restore it as a new server: it runs with an address of its own.
  await row.getByRole('button', { name: `Restore ${archive}` }).click();
  const restore = page.getByRole('dialog', { name: `Restore ${archive}` });
  await restore.getByRole('textbox', { name: /^New server name/ }).fill('bk-web-copy');
  await restore.getByRole('button', { name: 'Restore' }).click();
  await page.getByText(`Restore of ${archive} started`).waitFor();
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Servers' })
    .click();
  const copy = page.getByTestId('server-row-bk-web-copy');
  await copy.getByText('Running', { exact: true }).waitFor({ timeout: 90_000 });
  const copyIp = await copy.getByText(/^10\.10\.0\.\d+$/).textContent();
  expect(copyIp).not.toBe(originalIp);

  // A nightly schedule: its next runs previewed while typing, then listed with its next run.
  await page.goto(`${baseUrl}/backups/schedules`);
  await page.getByText('No backup job yet.').waitFor();
  await page.getByRole('button', { name: 'New schedule' }).click();
  const form = page.getByRole('dialog', { name: 'New backup schedule' });
  const schedule = form.getByRole('textbox', { name: /^Schedule/ });
  await schedule.fill('every night');
  await form.getByText("invalid calendar event 'every night' - invalid weekday 'every'").waitFor();
  await schedule.fill('02:30');
  await form.getByText('Next runs').waitFor();
  expect(await form.getByRole('listitem').count()).toBe(5);
  await form.getByRole('textbox', { name: 'Servers' }).click();
  await page.getByRole('option', { name: /^bk-web \(/ }).click();
  await form.getByRole('textbox', { name: /^Storage/ }).click();
  await page.getByRole('option', { name: 'nfs-backup' }).click();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Backup job saved').waitFor();
  const job = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /02:30/ }) });
  await job.getByText('7 daily, 4 weekly').waitFor();
  await job.getByText('never').waitFor();
  // bk-web is covered now; the restored copy is not.
  await page.getByRole('link', { name: 'bk-web-copy' }).waitFor();
  expect(
    await page
      .getByRole('list', { name: 'Servers no enabled job covers' })
      .getByText('bk-web', { exact: true })
      .count(),
  ).toBe(0);
});
