/**
 * The operator's first journey through the real stack: the built API (with the built SPA at the same
 * origin) on a fresh database, in Chromium. Sign in, see the dashboard, lose the session and come back to
 * the same page, look at the profile, sign out; look at the datastores and IP pools; change the password.
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

function path(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

/** The signed-in user as the API sees it, asked from inside the page (with its cookie). */
async function currentUser(page: Page): Promise<{ status: number; name?: string; username?: string }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/current-user', { credentials: 'include' });
    const body = (await response.json()) as { data?: { name: string; username: string } };
    return { status: response.status, name: body.data?.name, username: body.data?.username };
  });
}

it('signs in, sees the dashboard, survives an ended session, visits the profile and signs out', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();

  // A signed-out visitor lands on the login page.
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(`${baseUrl}/login`);
  await page.getByRole('heading', { name: 'Sign in to Proxdeck' }).waitFor();

  // Wrong password: the message, and still on the login page.
  await signIn(page, adminUsername, 'not-the-password');
  await page.getByRole('alert').getByText('The username or password is incorrect.').waitFor();
  expect(path(page)).toBe('/login');

  // Sign in: the dashboard greets the user by name and shows the platform's readiness.
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);
  const me = await currentUser(page);
  expect(me).toMatchObject({ status: 200, username: adminUsername });
  const displayName = me.name?.trim() ? me.name.trim() : adminUsername;
  await page.getByRole('heading', { name: `Welcome, ${displayName}` }).waitFor();
  await page.getByTestId('check-postgres').getByText('Healthy').waitFor();
  await page.getByTestId('check-redis').getByText('Healthy').waitFor();
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
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
    'IP pools',
    'Cleanup',
    'Users',
    'Permissions',
    'Audit log',
    'API tokens',
    'Profile',
  ]);

  // The session ends behind the SPA's back: the next request's 401 leads to the login page, remembering
  // the page, and signing in again goes back there.
  await browser!.context.clearCookies();
  await nav.getByRole('link', { name: 'Profile' }).click();
  await page.waitForURL(`${baseUrl}/login?next=%2Fprofile`);
  await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/profile`);

  // The profile: the user's details and this very session among the active ones.
  await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
  await page.getByTestId('profile-details').getByText(adminUsername, { exact: true }).waitFor();
  await page.getByTestId('own-sessions').getByText('This session').waitFor();

  // A too-short new password is refused before anything is sent.
  await page.locator('input[name="current_password"]').fill(adminPassword);
  await page.locator('input[name="new_password"]').fill('short');
  await page.locator('input[name="confirm_password"]').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Use at least 10 characters').waitFor();

  // Sign out from the user menu: the login page, and the API no longer knows the session.
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/login`);
  await page.getByText('You have signed out.').waitFor();
  expect((await currentUser(page)).status).toBe(401);

  // The profile is out of reach now.
  await page.goto(`${baseUrl}/profile`);
  await page.waitForURL(`${baseUrl}/login?next=%2Fprofile`);
});

it('shows the simulator’s datastores and IP pool, and creates and deletes a pool', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  await page.goto(`${baseUrl}/login?next=%2Fdatastores`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/datastores`);

  // Read from the simulator on first visit: the shared SSD pool once, the HDD default per node.
  const datastores = page.getByRole('table', { name: 'Datastores' });
  await datastores.getByRole('rowheader', { name: 'ssd-pool' }).waitFor();
  expect(await datastores.getByRole('rowheader', { name: 'local-lvm' }).count()).toBe(3);
  expect(await page.getByRole('combobox', { name: 'HDD datastore' }).inputValue()).toBe('local-lvm');

  // The simulator's bridge has its pool out of the box.
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'IP pools' })
    .click();
  const pools = page.getByRole('table', { name: 'IP pools' });
  await pools.getByRole('rowheader', { name: '10.10.0.0/24' }).waitFor();
  await pools.getByText('0 of 151 in use · 151 free').waitFor();

  // A new pool: the server's refusal on its field, then created; deleted after a confirmation naming it.
  await page.getByRole('button', { name: 'New IP pool' }).click();
  const form = page.getByRole('dialog', { name: 'New IP pool' });
  await form.getByRole('textbox', { name: /^Bridge/ }).fill('vmbr1');
  await form.getByRole('textbox', { name: /^Network/ }).fill('10.10.0.128/25');
  await form.getByRole('textbox', { name: /^Gateway/ }).fill('10.10.0.129');
  await form.getByRole('textbox', { name: /^Range start/ }).fill('10.10.0.130');
  await form.getByRole('textbox', { name: /^Range end/ }).fill('10.10.0.140');
  await form.getByRole('button', { name: 'Create pool' }).click();
  await form.getByText(/^overlaps pool \d+ \(10\.10\.0\.0\/24 on vmbr0\)$/).waitFor();
  await form.getByRole('textbox', { name: /^Network/ }).fill('10.30.0.0/24');
  await form.getByRole('textbox', { name: /^Gateway/ }).fill('10.30.0.1');
  await form.getByRole('textbox', { name: /^Range start/ }).fill('10.30.0.10');
  await form.getByRole('textbox', { name: /^Range end/ }).fill('10.30.0.20');
  await form.getByRole('button', { name: 'Create pool' }).click();
  await pools.getByRole('rowheader', { name: '10.30.0.0/24' }).waitFor();

  await page.getByRole('button', { name: 'Delete 10.30.0.0/24' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete IP pool 10.30.0.0/24?' });
  await confirm.getByText('The pool 10.30.0.0/24 on bridge vmbr1', { exact: false }).waitFor();
  await confirm.getByRole('button', { name: 'Delete 10.30.0.0/24' }).click();
  await pools.getByRole('rowheader', { name: '10.30.0.0/24' }).waitFor({ state: 'detached' });

  // Signed out again, as the next journey starts.
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/login`);
  await page.close();
});

it('changes the password: server errors on their field, then the new password signs in', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  const newPassword = `${adminPassword}-renewed`;

  await page.goto(`${baseUrl}/profile`);
  await page.waitForURL(`${baseUrl}/login?next=%2Fprofile`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/profile`);

  // A wrong current password: the API's message appears on that field.
  const current = page.locator('input[name="current_password"]');
  await current.fill('certainly-not-it');
  await page.locator('input[name="new_password"]').fill(newPassword);
  await page.locator('input[name="confirm_password"]').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('input[name="current_password"][aria-invalid="true"]').waitFor();
  expect(await current.getAttribute('aria-describedby')).toBeTruthy();
  const errorId = ((await current.getAttribute('aria-describedby')) ?? '').split(' ')[0] ?? '';
  expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe('is not your current password');

  // The right one: changed, and the form is cleared.
  await current.fill(adminPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed. Your other sessions were signed out.').waitFor();
  expect(await current.inputValue()).toBe('');

  // Sign out; the old password no longer works, the new one does.
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/login`);
  await signIn(page, adminUsername, adminPassword);
  await page.getByRole('alert').getByText('The username or password is incorrect.').waitFor();
  await signIn(page, adminUsername, newPassword);
  await page.waitForURL(`${baseUrl}/`);
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
});

it('speaks Korean to a browser whose language is Korean, and switches to English on request', async () => {
  const korean = await launchBrowser({ locale: 'ko-KR' });
  try {
    const page = await korean.context.newPage();
    await page.goto(`${stack!.baseUrl}/login`);
    await page.getByRole('heading', { name: 'Proxdeck 로그인' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');

    await page.getByRole('button', { name: '언어' }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in to Proxdeck' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  } finally {
    await korean.close();
  }
});
