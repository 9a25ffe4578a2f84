/**
 * The firewall in the browser, on the built API with its embedded Proxmox simulator and Proxdeck's
 * least-privilege token: take the simulator's existing VMs into the inventory, create a security group, add two
 * rules, apply the group to a server from the server's page, and see it on the server and on the group.
 */
import { startApiProcess, type ApiStack } from '@proxdeck/testing';
import type { Page } from 'playwright-core';
import { importVms, launchBrowser, signIn, type Browser } from './browser';

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

async function addRule(page: Page, fields: Record<string, string>): Promise<void> {
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const dialog = page.getByRole('dialog');
  for (const [label, value] of Object.entries(fields))
    await dialog.getByLabel(label, { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Save rule' }).click();
  await dialog.waitFor({ state: 'detached' });
}

it('creates a group, adds two rules, applies it to a server and sees it on the server', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  await page.goto(`${baseUrl}/login`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);
  await importVms(page);

  // The firewall page: a new group, then its page.
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Firewall' })
    .click();
  await page.waitForURL(`${baseUrl}/firewall`);
  await page.getByRole('button', { name: 'New security group' }).click();
  const create = page.getByRole('dialog');
  await create.getByLabel('Name', { exact: false }).first().fill('x');
  await create.getByRole('button', { name: 'New security group' }).click();
  await create.getByText(/must be 2–18 characters/).waitFor(); // the server's message, on the field
  await create.getByLabel('Name', { exact: false }).first().fill('e2e-web');
  await create.getByRole('button', { name: 'New security group' }).click();
  await page.waitForURL(`${baseUrl}/firewall/groups/e2e-web`);
  await page.getByText('No rule yet', { exact: false }).waitFor();

  // Two rules; the last added is on top, as in Proxmox.
  await addRule(page, { Protocol: 'tcp', 'Destination ports': '22', Source: '10.0.0.0/8' });
  await page.getByTestId('rule-0').getByText('tcp/22').waitFor();
  await addRule(page, { Macro: 'HTTPS' });
  await page.getByTestId('rule-0').getByText('HTTPS').waitFor();
  await page.getByTestId('rule-1').getByText('tcp/22').waitFor();

  // Apply it from the server's page.
  await page.goto(`${baseUrl}/servers/legacy-dns`);
  const card = page.getByTestId('server-firewall');
  await card.getByText('No security group attached').waitFor();
  await card.getByRole('textbox', { name: 'Security group to apply' }).click();
  await page.getByRole('option', { name: 'e2e-web' }).click();
  await card.getByRole('button', { name: 'Apply' }).click();
  await card.getByRole('link', { name: 'e2e-web' }).waitFor();
  await page.getByText('e2e-web', { exact: true }).first().waitFor();

  // And the group lists the server.
  await card.getByRole('link', { name: 'e2e-web' }).click();
  await page.waitForURL(`${baseUrl}/firewall/groups/e2e-web`);
  await page.getByTestId('group-servers').getByRole('link', { name: 'legacy-dns' }).waitFor();
});
