import { act, screen, waitFor, within } from '@testing-library/react';
import { mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeClusterStatus, makeServer, makeSession, makeUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { User } from '../auth/auth.queries';

const SERVERS = [
  makeServer({ name: 'web-01' }),
  makeServer({ name: 'web-02' }),
  makeServer({ name: 'db-01', status: 'stopped' }),
  makeServer({ name: 'app-01', status: 'failed' }),
];

function dashboardApi(user: User = adminUser) {
  let servers = SERVERS;
  const api = mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
    'GET /api/all_server_status': () => ok(makeClusterStatus(servers)),
  });
  return {
    api,
    setServers: (next: typeof SERVERS) => {
      servers = next;
    },
  };
}

describe('the cluster at a glance', () => {
  it("shows each node's CPU and memory, and the servers by status, next to the existing cards", async () => {
    dashboardApi();
    renderApp('/');
    const card = await screen.findByTestId('cluster-card');
    const pve1 = await within(card).findByTestId('node-pve1');
    expect(pve1).toHaveTextContent('CPU 25% of 16 cores');
    expect(pve1).toHaveTextContent('Memory 16.0 GiB of 64.0 GiB');
    expect(within(pve1).getByRole('progressbar', { name: 'pve1 memory' })).toHaveAttribute(
      'aria-valuenow',
      '25',
    );
    expect(within(card).getByTestId('node-pve2')).toHaveTextContent('CPU 50% of 8 cores');
    expect(within(card).getByTestId('cluster-total')).toHaveTextContent('4 servers');
    expect(within(card).getByTestId('count-running')).toHaveTextContent('Running2');
    expect(within(card).getByTestId('count-stopped')).toHaveTextContent('Stopped1');
    expect(within(card).getByTestId('count-failed')).toHaveTextContent('Failed1');
    expect(within(card).queryByTestId('count-creating')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'System status' })).toBeInTheDocument();
  });

  it('is refreshed when a server changes status', async () => {
    installFakeEventSource();
    const { api, setServers } = dashboardApi();
    renderApp('/');
    const card = await screen.findByTestId('cluster-card');
    await within(card).findByTestId('count-stopped');
    act(() => {
      latestEventSource().open();
    });
    setServers(
      SERVERS.map((server) => (server.name === 'db-01' ? { ...server, status: 'running' } : server)),
    );
    const asked = api.calls('GET /api/all_server_status').length;

    act(() => {
      latestEventSource().emit('server', { name: 'db-01', status: 'running' });
    });

    await waitFor(() => {
      expect(within(card).getByTestId('count-running')).toHaveTextContent('Running3');
    });
    expect(within(card).queryByTestId('count-stopped')).not.toBeInTheDocument();
    expect(api.calls('GET /api/all_server_status')).toHaveLength(asked + 1);
  });

  it('is not shown to a user without view_all', async () => {
    dashboardApi(makeUser({ permissions: [] }));
    renderApp('/');
    await screen.findByRole('heading', { name: 'System status' });
    expect(screen.queryByTestId('cluster-card')).not.toBeInTheDocument();
  });
});
