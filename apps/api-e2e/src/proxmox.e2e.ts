import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiProcess, waitFor, type ApiStack } from '@proxdeck/testing';
import { createApiClient } from '@proxdeck/api-client';

/** Without PVE_URL the API starts the built-in simulator and reports it as its Proxmox. */
describe('the built-in Proxmox VE simulator', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiProcess();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('is started by the API and reported by /api/health/ready as the simulator, up', async () => {
    const api = createApiClient({ baseUrl: stack.baseUrl });
    const ready = await waitFor(
      async () => {
        const { data } = await api.GET('/api/health/ready');
        return data?.data.checks.proxmox?.status === 'up' ? data.data : undefined;
      },
      { timeoutMs: 20_000, what: 'the simulator to answer' },
    );
    expect(ready.status).toBe('ready');
    expect(ready.checks.proxmox).toMatchObject({ status: 'up', mode: 'simulator' });
    expect(ready.checks.postgres?.status).toBe('up');
    expect(ready.checks.redis?.status).toBe('up');
  });

  it('keeps the simulated cluster in DATA_DIR when the API stops', async () => {
    await stack.api.stop();
    const stateFile = join(stack.env.DATA_DIR ?? '', 'pve-sim', 'state.json');
    expect(existsSync(stateFile)).toBe(true);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { vms: { vmid: number }[] };
    expect(state.vms.map((vm) => vm.vmid)).toEqual(expect.arrayContaining([8000, 8001, 9000, 9001]));
  });
});
