/**
 * Administration through the real stack in Chromium: an administrator creates an operator; the operator signs
 * in, sees only what operators may use, creates an API token (its secret shown once) and uses it with the
 * generated client; the administrator finds each step in the audit log.
 */
import { randomBytes } from 'node:crypto';
import { createApiClient } from '@proxdeck/api-client';
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

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
}

it('an admin creates an operator, who sees only operator pages, creates an API token and uses it', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const operatorName = `op-${randomBytes(3).toString('hex')}`;
  const operatorPassword = `pw-${randomBytes(8).toString('hex')}`;
  const page = await browser!.context.newPage();

  // The administrator adds the operator on the users page.
  await page.goto(`${baseUrl}/login?next=%2Fadmin%2Fusers`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/admin/users`);
  await page.getByRole('table', { name: 'Users' }).waitFor();
  await page.getByRole('button', { name: 'Add user' }).click();
  const form = page.getByRole('dialog', { name: 'Add a user' });
  await form.getByRole('textbox', { name: 'Username' }).fill(operatorName);
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Create user' }).click();
  await form.getByText('must be at least 10 characters').waitFor(); // the server's message, on its field
  await form.getByLabel('Password').fill(operatorPassword);
  await form.getByRole('textbox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Operator' }).click();
  await form.getByRole('button', { name: 'Create user' }).click();
  await page.getByText(`User ${operatorName} created`).waitFor();
  await page.getByRole('table', { name: 'Users' }).getByRole('rowheader', { name: operatorName }).waitFor();
  await signOut(page);

  // The operator signs in and sees only what operators may use.
  await signIn(page, operatorName, operatorPassword);
  await page.waitForURL(`${baseUrl}/`);
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'API tokens' }).waitFor();
  expect(await nav.getByRole('link').allTextContents()).toEqual([
    'Dashboard',
    'Servers',
    'Tasks',
    'Firewall',
    'Backups',
    'Monitoring',
    'Roles',
    'Notifications',
    'Datastores',
    'Cleanup',
    'API tokens',
    'Profile',
  ]);
  await page.goto(`${baseUrl}/admin/users`);
  await page.getByText('Your account does not have the permission this page needs.').waitFor();

  // A token for a script: created on "My API tokens", its secret shown once.
  await page.goto(`${baseUrl}/tokens`);
  await page.getByText('You have no API tokens.').waitFor();
  await page.getByRole('button', { name: 'Create token' }).click();
  const tokenForm = page.getByRole('dialog', { name: 'Create an API token' });
  await tokenForm.getByRole('textbox', { name: 'Name' }).fill('inventory-script');
  await tokenForm.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('dialog', { name: 'Token inventory-script created' });
  const secret = (await shown.getByTestId('token-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^pdk_/);
  await shown.getByRole('button', { name: 'Copy' }).waitFor();
  await shown.getByRole('button', { name: 'I copied it' }).click();
  const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /inventory-script/ });
  await row.waitFor();
  expect(await page.getByText(secret).count()).toBe(0); // never shown again

  // The generated client with the token: the operator's identity and permissions, no CSRF token needed.
  const client = createApiClient({ baseUrl, bearerToken: secret });
  const me = await client.GET('/api/current-user');
  expect(me.data?.data).toMatchObject({ username: operatorName, role: 'operator' });
  expect((await client.GET('/api/servers')).response.status).toBe(200);
  const refused = await client.GET('/api/users');
  expect(refused.response.status).toBe(403);
  expect(refused.error).toMatchObject({ details: { required: 'admin_access' } });
  const child = await client.POST('/api/tokens', { body: { name: 'child', permissions: ['view_all'] } });
  expect(child.response.status).toBe(201);
  const tokens = await client.GET('/api/tokens');
  expect(tokens.data?.data.map((token) => token.name).sort()).toEqual(['child', 'inventory-script']);

  // Its use is shown on the page, with the client's address.
  await page.reload();
  await page
    .getByRole('table', { name: 'API tokens' })
    .getByRole('row', { name: /inventory-script.*127\.0\.0\.1/ })
    .waitFor();
  await signOut(page);

  // The administrator finds the operator's token at work in the audit log.
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Audit log' })
    .click();
  await page.getByRole('textbox', { name: 'User' }).fill(operatorName);
  await page.getByRole('button', { name: 'Filter' }).click();
  const audit = page.getByRole('table', { name: 'Audit log' });
  await audit.getByRole('row', { name: /API token.*POST \/api\/tokens/ }).waitFor();
  await audit
    .getByRole('row', { name: /POST \/login/ })
    .first()
    .waitFor();
});
