import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accepted, mockApi, ok, type ReplyFor } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import {
  adminUser,
  makeClusterStatus,
  makeServer,
  makeSession,
  makeTask,
  viewerUser,
} from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { User } from '../auth/auth.queries';
import type { Server } from './servers.queries';

const WEB = makeServer({ id: 1, name: 'web-01', vmid: 101, ip_addresses: ['10.10.0.21'] });
const DB = makeServer({
  id: 2,
  name: 'db-01',
  vmid: 102,
  node: 'pve2',
  status: 'stopped',
  ip_addresses: ['10.10.0.22'],
  role: 'postgres',
  firewall_group: 'db',
  live: null,
});

/** GET /api/servers as the API answers it: filtered by status and q (name or IP start), one page. */
function answerList(servers: Server[], query: URLSearchParams): ReplyFor<'GET /api/servers'> {
  const status = query.get('status');
  const q = query.get('q');
  const matching = servers.filter(
    (server) =>
      (status === null || server.status === status) &&
      (q === null || server.name.includes(q) || server.ip_addresses.some((ip) => ip.startsWith(q))),
  );
  const page = Number(query.get('page') ?? '1');
  const perPage = Number(query.get('per_page') ?? '25');
  return ok(matching.slice((page - 1) * perPage, page * perPage), {
    pagination: {
      page,
      per_page: perPage,
      total: matching.length,
      pages: Math.ceil(matching.length / perPage),
    },
  });
}

function serversApi(servers: Server[] = [WEB, DB], user: User = adminUser) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/servers': ({ query }) => answerList(servers, query),
    'GET /api/all_server_status': () => ok(makeClusterStatus(servers)),
    'POST /api/sync_servers': () => accepted({ task_id: 'sync-1', status: 'queued' }, { message: 'queued' }),
    'GET /api/tasks/{task_id}/status': ({ params }) =>
      ok(makeTask({ task_id: params.task_id, type: 'servers.sync', status: 'running', progress: 40 })),
  });
}

function lastListQuery(api: ReturnType<typeof serversApi>): URLSearchParams {
  const calls = api.calls('GET /api/servers');
  const last = calls[calls.length - 1];
  if (!last) throw new Error('the list was not asked for');
  return last.query;
}

describe('the server list', () => {
  it('shows each server with its status, node, IPs, OS, role, group, live CPU and memory, and VMID', async () => {
    serversApi();
    renderApp('/servers');

    const web = await screen.findByTestId('server-row-web-01');
    expect(within(web).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/servers/web-01');
    expect(web).toHaveTextContent('Running');
    expect(web).toHaveTextContent('pve1');
    expect(web).toHaveTextContent('10.10.0.21');
    expect(web).toHaveTextContent('rocky');
    expect(web).toHaveTextContent('25%');
    expect(web).toHaveTextContent('1.0 GiB / 2.0 GiB');
    expect(web).toHaveTextContent('101');
    const db = screen.getByTestId('server-row-db-01');
    expect(db).toHaveTextContent('Stopped');
    expect(db).toHaveTextContent('postgres');
    expect(db).toHaveTextContent('db');
    expect(screen.getByText('2 servers')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create' })).toHaveAttribute('href', '/servers/new');
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeInTheDocument();
  });

  it('offers neither create nor sync to a viewer', async () => {
    serversApi([WEB], viewerUser);
    renderApp('/servers');
    await screen.findByTestId('server-row-web-01');
    expect(screen.queryByRole('link', { name: 'Create' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument();
  });

  it('keeps the status filter, the search and the sort in the address and asks the API with them', async () => {
    const user = userEvent.setup();
    const api = serversApi();
    const app = renderApp('/servers');
    await screen.findByTestId('server-row-db-01');
    expect(lastListQuery(api).get('sort')).toBe('name');

    await user.selectOptions(screen.getByLabelText('Status'), 'running');
    await waitFor(() => {
      expect(screen.queryByTestId('server-row-db-01')).not.toBeInTheDocument();
    });
    expect(app.location()).toBe('/servers?status=running');
    expect(lastListQuery(api).get('status')).toBe('running');

    await user.type(screen.getByLabelText('Search'), '10.10');
    await waitFor(() => {
      expect(app.location()).toBe('/servers?q=10.10&status=running');
    });
    await waitFor(() => {
      expect(lastListQuery(api).get('q')).toBe('10.10');
    });

    await user.click(screen.getByRole('button', { name: 'Sort by Name' }));
    expect(app.location()).toBe('/servers?q=10.10&status=running&sort=-name');
    await waitFor(() => {
      expect(lastListQuery(api).get('sort')).toBe('-name');
    });
    expect(screen.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
  });

  it('reads its filters from the address', async () => {
    const api = serversApi();
    renderApp('/servers?status=stopped&node=pve2&role=postgres&firewall_group=db&sort=-vmid&page=2');
    await waitFor(() => {
      expect(api.calls('GET /api/servers')).not.toHaveLength(0);
    });
    expect(Object.fromEntries(lastListQuery(api))).toEqual({
      page: '2',
      per_page: '25',
      sort: '-vmid',
      status: 'stopped',
      node: 'pve2',
      role: 'postgres',
      firewall_group: 'db',
    });
  });

  it('patches a row from a server event, without asking the API again', async () => {
    installFakeEventSource();
    const api = serversApi();
    renderApp('/servers');
    const web = await screen.findByTestId('server-row-web-01');
    act(() => {
      latestEventSource().open();
    });
    const asked = api.calls('GET /api/servers').length;

    act(() => {
      latestEventSource().emit('server', {
        name: 'web-01',
        status: 'running',
        live: { cpu_usage: 0.9, mem_bytes: 2147483648 / 2, maxmem_bytes: 2147483648 },
      });
    });

    await waitFor(() => {
      expect(web).toHaveTextContent('90%');
    });
    expect(web).toHaveTextContent('1.0 GiB / 2.0 GiB');
    expect(api.calls('GET /api/servers')).toHaveLength(asked);
  });

  it('counts the servers selected, across the page or one by one', async () => {
    const user = userEvent.setup();
    serversApi();
    renderApp('/servers');
    await screen.findByTestId('server-row-web-01');
    expect(screen.queryByText(/selected/)).not.toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Select web-01' }));
    expect(screen.getByText('1 selected')).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Select every server of this page' }));
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(screen.queryByText(/selected/)).not.toBeInTheDocument();
  });

  it('goes through the pages, keeping the page in the address', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 30 }, (_, index) =>
      makeServer({ id: index + 1, name: `node-${String(index + 1).padStart(2, '0')}`, vmid: 200 + index }),
    );
    const api = serversApi(many);
    const app = renderApp('/servers');
    await screen.findByTestId('server-row-node-01');
    expect(screen.getByText('30 servers')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: '2' }));
    expect(await screen.findByTestId('server-row-node-30')).toBeInTheDocument();
    expect(screen.queryByTestId('server-row-node-01')).not.toBeInTheDocument();
    expect(app.location()).toBe('/servers?page=2');
    expect(lastListQuery(api).get('page')).toBe('2');
  });

  it('shows one card per server on a phone', async () => {
    const matchMedia = window.matchMedia;
    window.matchMedia = (query: string): MediaQueryList =>
      ({
        matches: query.includes('max-width'),
        media: query,
        onchange: null,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
        dispatchEvent: () => false,
      }) as Partial<MediaQueryList> as MediaQueryList;
    try {
      serversApi();
      renderApp('/servers');
      const cards = await screen.findByRole('list', { name: 'Servers' });
      expect(within(cards).getAllByRole('listitem')).toHaveLength(2);
      expect(within(cards).getByTestId('server-row-db-01')).toHaveTextContent('10.10.0.22');
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
    } finally {
      window.matchMedia = matchMedia;
    }
  });

  it('says when there are no servers yet, and offers to create one', async () => {
    serversApi([]);
    renderApp('/servers');
    expect(await screen.findByText('No servers yet — create one.')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'Create' })).toHaveLength(2);
  });

  it('starts a sync and follows its task', async () => {
    const user = userEvent.setup();
    const api = serversApi();
    renderApp('/servers');
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));

    expect(await screen.findByText('Sync: Running (40%)')).toBeInTheDocument();
    expect(api.calls('POST /api/sync_servers')).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'Open the task' })).toHaveAttribute('href', '/tasks/sync-1');
  });
});

describe('bulk actions', () => {
  const TASK = '3f0c2f43-1d55-4a4f-8f0e-5b5d8a3c2e01';

  it('delete the selected servers after a confirmation naming each, and sum up a 200', async () => {
    const user = userEvent.setup();
    const api = serversApi();
    api.on('POST /api/servers/bulk_action', () =>
      ok({
        task_id: TASK,
        succeeded: ['web-01'],
        failed: [{ name: 'db-01', error: 'db-01 is protected in Proxmox' }],
        outcomes: { 'web-01': 'deleted' },
      }),
    );
    renderApp('/servers');
    await user.click(await screen.findByRole('checkbox', { name: 'Select every server of this page' }));
    const bar = screen.getByRole('group', { name: 'Actions on the selected servers' });
    await user.click(within(bar).getByRole('button', { name: 'Delete' }));

    const dialog = await screen.findByRole('dialog', { name: 'Delete 2 servers?' });
    expect(dialog).toHaveTextContent('destroys each VM and its disks, releases their addresses');
    expect(within(dialog).getByTestId('delete-names')).toHaveTextContent('Destroyed: web-01, db-01');
    await user.click(within(dialog).getByRole('button', { name: 'Delete 2 servers' }));

    const summary = await screen.findByTestId('bulk-summary');
    expect(summary).toHaveTextContent('Delete of 2 servers');
    expect(summary).toHaveTextContent('1 succeeded · 1 failed');
    expect(within(summary).getByTestId('bulk-ok-web-01')).toHaveTextContent('web-01: deleted');
    expect(within(summary).getByTestId('bulk-failed-db-01')).toHaveTextContent(
      'db-01: db-01 is protected in Proxmox',
    );
    expect(api.calls('POST /api/servers/bulk_action').map((call) => call.body)).toEqual([
      { action: 'delete', server_names: ['web-01', 'db-01'] },
    ]);
    expect(screen.queryByText(/selected/)).not.toBeInTheDocument();
  });

  it('follow the task when the API answers 202, and sum it up at its end', async () => {
    installFakeEventSource();
    const user = userEvent.setup();
    const item = { progress: 100, step: null, pve_upids: [], steps_done: [] };
    const api = serversApi();
    api.on('POST /api/servers/bulk_action', () =>
      accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
    );
    api.on('GET /api/tasks/{task_id}/status', () =>
      ok(makeTask({ task_id: TASK, type: 'servers.action', status: 'running', progress: 50 })),
    );
    renderApp('/servers');
    await user.click(await screen.findByRole('checkbox', { name: 'Select every server of this page' }));
    act(() => {
      latestEventSource().open();
    });
    await user.click(
      within(screen.getByRole('group', { name: 'Actions on the selected servers' })).getByRole('button', {
        name: 'Shut down',
      }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Shut down 2 servers?' });
    expect(within(dialog).getByTestId('bulk-names')).toHaveTextContent('web-01, db-01');
    // The shutdown's options, bounded as the API bounds them.
    const timeout = within(dialog).getByRole('textbox', { name: 'Time to shut down (seconds)' });
    await user.clear(timeout);
    await user.type(timeout, '900');
    expect(within(dialog).getByText('must be 1..600 seconds')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Shut down 2 servers' })).toBeDisabled();
    await user.clear(timeout);
    await user.type(timeout, '120');
    await user.click(
      within(dialog).getByRole('checkbox', { name: 'Force power-off when it has not shut down in time' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Shut down 2 servers' }));
    expect(api.calls('POST /api/servers/bulk_action').map((call) => call.body)).toEqual([
      { action: 'stop', server_names: ['web-01', 'db-01'], timeout_s: 120, force: true },
    ]);

    expect(await screen.findByText('Taking longer than 30 seconds: following the task.')).toBeInTheDocument();
    expect(await within(screen.getByTestId('action-progress')).findByText('50 %')).toBeInTheDocument();

    api.on('GET /api/tasks/{task_id}/status', () =>
      ok(
        makeTask({
          task_id: TASK,
          type: 'servers.action',
          status: 'partial',
          items: [
            { ...item, name: 'web-01', status: 'completed', error: null },
            { ...item, name: 'db-01', status: 'failed', error: 'shutdown timed out after 60 s' },
          ],
          result: { action: 'stop', outcomes: { 'web-01': 'stopped' } },
        }),
      ),
    );
    act(() => {
      latestEventSource().emit('task', { task_id: TASK, status: 'partial', progress: 100, message: null });
    });
    const summary = await screen.findByTestId('bulk-summary');
    expect(summary).toHaveTextContent('1 succeeded · 1 failed');
    expect(within(summary).getByTestId('bulk-ok-web-01')).toHaveTextContent('web-01: stopped');
    expect(within(summary).getByTestId('bulk-failed-db-01')).toHaveTextContent(
      'shutdown timed out after 60 s',
    );
  });

  it('offer quick actions per row, from its status', async () => {
    const user = userEvent.setup();
    const api = serversApi();
    api.on('POST /api/servers/bulk_action', () =>
      ok({ task_id: TASK, succeeded: ['web-01'], failed: [], outcomes: { 'web-01': 'stopped' } }),
    );
    renderApp('/servers');
    const row = await screen.findByTestId('server-row-web-01');
    await user.click(within(row).getByRole('button', { name: 'Actions for web-01' }));
    expect(await screen.findByRole('menuitem', { name: 'Start' })).toBeDisabled();
    await user.click(screen.getByRole('menuitem', { name: 'Shut down' }));
    const dialog = await screen.findByRole('dialog', { name: 'Shut down web-01' });
    await user.click(within(dialog).getByRole('button', { name: 'Shut down' }));
    const summary = await screen.findByTestId('bulk-summary');
    expect(summary).toHaveTextContent('Shut down of 1 servers');
    expect(summary).toHaveTextContent('web-01: stopped');
    expect(api.calls('POST /api/servers/bulk_action').map((call) => call.body)).toEqual([
      { action: 'stop', server_names: ['web-01'], timeout_s: 60, force: false },
    ]);
  });

  it('are hidden from users who may not manage servers', async () => {
    const user = userEvent.setup();
    serversApi([WEB, DB], viewerUser);
    renderApp('/servers');
    await user.click(await screen.findByRole('checkbox', { name: 'Select web-01' }));
    expect(screen.getByText('1 selected')).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Actions on the selected servers' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Actions for web-01' })).not.toBeInTheDocument();
  });
});
