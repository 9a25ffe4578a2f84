/**
 * An Ansible role in the browser, run for real: a server whose address is a loopback address where a real
 * OpenSSH server (the tests' fixture) accepts the unprivileged test user. Open its Role tab, assign the test role
 * proxdeck_marker through the form built from its settings (the secret typed in a password field), watch
 * ansible-playbook's output arrive live, and see the role recorded on the server and the marker written on the
 * host; then find the run in the roles page's history.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startApiProcess,
  startSshHost,
  WORKSPACE_ROOT,
  type ApiStack,
  type SshHost,
} from '@proxdeck/testing';
import { Client } from 'pg';
import { launchBrowser, signIn, type Browser } from './browser';

const ADDRESS = '127.0.0.61';
const SERVER = 'role-e2e';

let host: SshHost | undefined;
let stack: ApiStack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  host = await startSshHost({ address: ADDRESS });
  stack = await startApiProcess({
    env: {
      SCHEDULE_SERVERS_SYNC: '1h', // the server below is not in the simulator: the sync must not mark it missing
      ANSIBLE_EXTRA_ROLES_DIR: join(WORKSPACE_ROOT, 'ansible/test-roles'),
      ANSIBLE_SSH_USER: host.user,
      ANSIBLE_SSH_KEY_FILE: host.privateKeyPath,
      ANSIBLE_SSH_PORT: String(host.port),
      ANSIBLE_HOST_KEY_CHECKING: 'accept-new',
      ANSIBLE_BECOME: 'false',
    },
  });
  const db = new Client({ connectionString: stack.database.url });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO servers (name, status, cpu_cores, memory_mb, networks, ip_addresses, os_type)
       VALUES ($1, 'running', 1, 1024, $2::jsonb, $3, 'debian')`,
      [
        SERVER,
        JSON.stringify([
          {
            device: 'net0',
            bridge: 'vmbr0',
            ip_address: ADDRESS,
            prefix: 8,
            gateway: '127.0.0.1',
            mac: null,
          },
        ]),
        [ADDRESS],
      ],
    );
  } finally {
    await db.end();
  }
  browser = await launchBrowser({ locale: 'en-US' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await host?.stop();
});

it('assigns a role to a server, shows its run live, and records the role', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const page = await browser!.context.newPage();
  await page.goto(`${baseUrl}/servers/${SERVER}?tab=role`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/servers/${SERVER}?tab=role`);
  await page.getByTestId('server-role').getByText('No role assigned').waitFor();

  await page.getByRole('button', { name: 'Assign a role' }).click();
  const dialog = page.getByRole('dialog', { name: `Assign a role to ${SERVER}` });
  await dialog.getByRole('textbox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Test marker (proxdeck_marker)' }).click();
  await dialog.getByLabel('marker_text').fill('from the browser');
  await dialog.getByLabel('marker_secret').fill('browser-secret-value');
  await dialog.getByRole('button', { name: 'Apply Test marker' }).click();

  // The output arrives while ansible-playbook runs, then the run ends and the role is recorded.
  const live = page.getByTestId('role-live-run');
  await live
    .getByText(/TASK \[proxdeck_marker/)
    .first()
    .waitFor({ timeout: 60_000 });
  await live.locator('[data-status="succeeded"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('server-role').getByText('Test marker').waitFor({ timeout: 15_000 });
  expect(await live.getByTestId('role-run-output').textContent()).not.toContain('browser-secret-value');
  expect(readFileSync(join(host!.home, 'proxdeck-marker'), 'utf8')).toContain('from the browser');

  // The run is in the history of the roles page, with its output.
  await page.getByRole('link', { name: 'Roles' }).first().click();
  await page.waitForURL(`${baseUrl}/roles`);
  const runs = page.getByRole('table', { name: 'Role runs' });
  const row = runs.getByRole('row').filter({ hasText: SERVER });
  await row.getByText('Succeeded').waitFor();
  await row.getByRole('button', { name: /^Output of run/ }).click();
  await page
    .getByRole('dialog', { name: /^Output of run/ })
    .getByTestId('role-run-output')
    .getByText(/PLAY RECAP/)
    .waitFor();
});
