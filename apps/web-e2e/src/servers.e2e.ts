/**
 * Servers in the browser, on the built API with its embedded Proxmox simulator (whose `vmbr0` pool,
 * 10.10.0.0/24, exists from the start): sign in, create three servers in one batch through the wizard's
 * naming pattern, watch the task reach completed with the generated passwords shown, and find the servers in
 * the list with their addresses.
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

const NAMES = ['e2e-01', 'e2e-02', 'e2e-03'];

it('creates three servers in a batch and finds them in the list with their IPs', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
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
