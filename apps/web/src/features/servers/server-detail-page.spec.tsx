import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeServer, makeSession } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';

const FAILED = makeServer({
  name: 'app-02',
  status: 'failed',
  error: 'clone failed: storage full',
  disks: [
    { device: 'scsi0', datastore: 'local-lvm', size_gb: 20 },
    { device: 'scsi1', datastore: 'ssd-pool', size_gb: 100 },
  ],
  networks: [
    {
      device: 'net0',
      bridge: 'vmbr0',
      ip_address: '10.10.0.30',
      prefix: 24,
      gateway: '10.10.0.1',
      mac: null,
    },
    { device: 'net1', bridge: 'vmbr1', ip_address: null, prefix: null, gateway: null, mac: null },
  ],
  tags: ['proxdeck', 'web'],
  description: 'Front end',
});

function detailApi() {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/servers/{name}': ({ params }) =>
      params.name === FAILED.name ? ok(FAILED) : fail(404, 'NOT_FOUND', `Server ${params.name} not found`),
    'GET /api/server_status/{name}': ({ params }) =>
      ok({
        name: params.name,
        vmid: 101,
        node: 'pve1',
        status: 'running',
        qmpstatus: 'running',
        lock: null,
        cpu: 0.5,
        mem: 1073741824,
        maxmem: 2147483648,
        uptime: 3660,
        agent: true,
      }),
  });
}

describe('a server', () => {
  it('shows its disks, network devices, tags, description and error', async () => {
    detailApi();
    renderApp('/servers/app-02');
    expect(await screen.findByText('clone failed: storage full')).toBeInTheDocument();
    expect(screen.getByText('Failed')).toBeInTheDocument();
    const disks = screen.getByRole('table', { name: 'Disks' });
    expect(within(disks).getByText('ssd-pool')).toBeInTheDocument();
    expect(within(disks).getByText('100 GB')).toBeInTheDocument();
    const nics = screen.getByRole('table', { name: 'Network devices' });
    expect(within(nics).getByText('10.10.0.30/24')).toBeInTheDocument();
    expect(within(nics).getByText('vmbr1')).toBeInTheDocument();
    expect(screen.getByText('web')).toBeInTheDocument();
    expect(screen.getByText('Front end')).toBeInTheDocument();
    expect(screen.getByTestId('live-figures')).toHaveTextContent('25%');
  });

  it('takes status and live figures from server events', async () => {
    installFakeEventSource();
    detailApi();
    renderApp('/servers/app-02');
    await screen.findByText('clone failed: storage full');
    act(() => {
      latestEventSource().open();
      latestEventSource().emit('server', { name: 'app-02', status: 'running', live: { cpu_usage: 0.6 } });
    });
    await waitFor(() => {
      expect(screen.getByTestId('live-figures')).toHaveTextContent('60%');
    });
    expect(screen.getByText('Running')).toBeInTheDocument();
  });

  it('reads the live status from Proxmox only when asked, and again on demand', async () => {
    const user = userEvent.setup();
    const api = detailApi();
    renderApp('/servers/app-02');
    const panel = await screen.findByTestId('proxmox-status');
    expect(api.calls('GET /api/server_status/{name}')).toHaveLength(0);

    await user.click(within(panel).getByRole('button', { name: 'Read from Proxmox' }));
    expect(await within(panel).findByText('1h 1m')).toBeInTheDocument();
    expect(within(panel).getByText('Enabled')).toBeInTheDocument();
    expect(api.calls('GET /api/server_status/{name}').map((call) => call.params)).toEqual([
      { name: 'app-02' },
    ]);

    await user.click(within(panel).getByRole('button', { name: 'Read again' }));
    await waitFor(() => {
      expect(api.calls('GET /api/server_status/{name}')).toHaveLength(2);
    });
  });

  it('says when there is no such server', async () => {
    detailApi();
    renderApp('/servers/nope');
    expect(await screen.findByText('There is no server named nope.')).toBeInTheDocument();
  });
});
