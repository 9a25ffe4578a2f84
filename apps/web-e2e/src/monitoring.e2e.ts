/**
 * Monitoring in the browser, on the built API connected to a Proxmox simulator of the test's own (so that the test
 * can put a guest under load): take the simulator's VMs into the inventory, open the monitoring page, put a VM
 * under CPU load and see its alert appear live (the checker runs every second; no reload), acknowledge it, then
 * open the server's charts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { startApiProcess, type ApiStack } from '@proxdeck/testing';
import { importVms, launchBrowser, signIn, type Browser } from './browser';

let simulator: RunningPveSimulator | undefined;
let stack: ApiStack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const token = { id: 'root@pam!e2e', secret: `e2e-${String(Date.now())}` };
  simulator = await startPveSimulator({
    port: 0,
    certDir: mkdtempSync(join(tmpdir(), 'proxdeck-e2e-sim-')),
    timeScale: 0.05,
    rootPassword: `e2e-root-${String(Date.now())}`,
    apiToken: token,
  });
  stack = await startApiProcess({
    env: {
      PVE_URL: simulator.url,
      PVE_TOKEN_ID: token.id,
      PVE_TOKEN_SECRET: token.secret,
      PVE_CA_FILE: simulator.caFile ?? '',
      SCHEDULE_SERVERS_SYNC: '1h',
      SCHEDULE_ALERTS_CHECK: '1s',
      ALERT_FOR_S: '0',
    },
  });
  browser = await launchBrowser({ locale: 'en-US' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await simulator?.close();
});

it('sees an alert appear live when a VM is put under load, acknowledges it, and opens the server’s charts', async () => {
  const { baseUrl, adminUsername, adminPassword } = stack!;
  const sim = simulator!;
  const page = await browser!.context.newPage();
  await page.goto(`${baseUrl}/login`);
  await signIn(page, adminUsername, adminPassword);
  await page.waitForURL(`${baseUrl}/`);
  await importVms(page);

  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Monitoring' })
    .click();
  await page.waitForURL(`${baseUrl}/monitoring`);
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
  await page.getByText('No alerts.').waitFor({ timeout: 15_000 });

  // A running guest under full load: the next checker cycle (one read of /cluster/resources) raises cpu_high.
  const vm = sim.state.vms.find((candidate) => candidate.running && candidate.config.name);
  if (!vm?.config.name) throw new Error('the simulator has no running VM');
  const name = vm.config.name;
  vm.cpuLoad = 0.99;
  sim.refreshStats();

  const message = `CPU use is 99 %, at or above the critical threshold of 95 %`;
  const row = page.getByRole('row').filter({ hasText: name }).filter({ hasText: message });
  await row.waitFor({ timeout: 20_000 });
  await row.getByText('Active').waitFor();
  await page.getByTestId('summary-activeAlerts').getByText('1', { exact: true }).waitFor({ timeout: 10_000 });

  await row.getByRole('button', { name: /^Acknowledge the alert/ }).click();
  await row.getByText('Acknowledged').waitFor({ timeout: 10_000 });
  await row.getByText(`by ${adminUsername}`).waitFor();
  await page.getByTestId('summary-activeAlerts').getByText('0', { exact: true }).waitFor({ timeout: 10_000 });

  // The server's page, from the alert, and its charts: the RRD series drawn by the chart library.
  await row.getByRole('link', { name }).click();
  await page.waitForURL(`${baseUrl}/servers/${name}`);
  await page.getByRole('tab', { name: 'Charts' }).click();
  const usage = page.getByTestId('chart-CPU, memory and disk use');
  await usage.locator('.recharts-line').first().waitFor({ timeout: 15_000 });
  expect(await usage.locator('.recharts-line').count()).toBeGreaterThanOrEqual(2);
  await page.getByTestId('chart-Network').locator('.recharts-line').first().waitFor();
  await page.getByText(/Prometheus is not configured/).waitFor();
  // Another time range: the series asked again for it, and drawn.
  const dayAnswer = page.waitForResponse(
    (response) => response.url().includes('/metrics?') && response.url().includes('timeframe=day'),
  );
  await page.locator('label').filter({ hasText: 'Last day' }).click();
  expect((await dayAnswer).status()).toBe(200);
  await usage.locator('.recharts-line').first().waitFor();

  vm.cpuLoad = undefined;
});
