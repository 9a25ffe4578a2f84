import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type ReplyFor } from '../../../test/api-mock';
import { adminUser, makeSession, makeUser, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Datastore, DatastoreList } from './datastores.queries';

const GiB = 1024 ** 3;

function datastore(overrides: Partial<Datastore>): Datastore {
  return {
    id: 'local-lvm',
    node: 'pve1',
    type: 'lvmthin',
    content: ['images', 'rootdir'],
    shared: false,
    active: true,
    total_bytes: 800 * GiB,
    used_bytes: 200 * GiB,
    avail_bytes: 600 * GiB,
    is_default_hdd: true,
    is_default_ssd: false,
    ...overrides,
  };
}

const LIST: DatastoreList = {
  datastores: [
    datastore({
      id: 'local',
      type: 'dir',
      content: ['backup', 'iso'],
      is_default_hdd: false,
      used_bytes: 95 * GiB,
      total_bytes: 100 * GiB,
    }),
    datastore({}),
    datastore({
      id: 'ssd-pool',
      node: null,
      type: 'rbd',
      shared: true,
      total_bytes: 4096 * GiB,
      used_bytes: 1024 * GiB,
      is_default_hdd: false,
      is_default_ssd: true,
    }),
    datastore({
      id: 'old-nfs',
      node: null,
      type: 'nfs',
      content: ['backup'],
      active: false,
      total_bytes: 0,
      used_bytes: 0,
      is_default_hdd: false,
    }),
  ],
  default_hdd: 'local-lvm',
  default_ssd: 'ssd-pool',
  defaults_chosen: { hdd: true, ssd: false },
  refreshed_at: '2026-11-30T10:00:00.000Z',
};

const operatorUser = makeUser({
  id: 3,
  username: 'lee',
  role: 'operator',
  permissions: ['view_all', 'manage_servers'],
});

function pageApi(user = viewerUser, list: DatastoreList = LIST) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user, 'csrf-ds')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/datastores': () => ok(list),
  });
}

function rowOf(id: string): HTMLElement {
  const table = screen.getByRole('table', { name: 'Datastores' });
  const header = within(table).getByRole('rowheader', { name: id });
  const row = header.closest('tr');
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}

describe('the datastores page', () => {
  it('shows viewers every datastore with its usage, the shared ones once, and the defaults as text', async () => {
    pageApi();
    renderApp('/datastores');

    expect(await screen.findByRole('heading', { name: 'Datastores', level: 1 })).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'Main navigation' })).getByRole('link', {
        name: 'Datastores',
      }),
    ).toBeInTheDocument();
    await screen.findByRole('table', { name: 'Datastores' });
    expect(within(rowOf('local-lvm')).getByText('200 GiB of 800 GiB (25%)')).toBeInTheDocument();
    expect(within(rowOf('local-lvm')).getByText('HDD')).toBeInTheDocument();
    expect(within(rowOf('ssd-pool')).getByText('Shared')).toBeInTheDocument();
    expect(within(rowOf('ssd-pool')).getByText('1 TiB of 4 TiB (25%)')).toBeInTheDocument();
    expect(within(rowOf('ssd-pool')).getByText('SSD')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'local: 95% used' })).toBeInTheDocument();
    expect(within(rowOf('old-nfs')).getByText('Inactive')).toBeInTheDocument();
    expect(within(rowOf('old-nfs')).getByText('No size reported')).toBeInTheDocument();
    expect(screen.getByText(/HDD: local-lvm · SSD: ssd-pool/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Refresh from Proxmox' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save defaults' })).not.toBeInTheDocument();
  });

  it('lets operators read Proxmox again, replacing the list', async () => {
    const api = pageApi(operatorUser);
    api.on('POST /api/datastores/refresh', () =>
      ok(
        { ...LIST, datastores: [datastore({ used_bytes: 400 * GiB })] },
        { message: '1 datastores read from Proxmox' },
      ),
    );
    renderApp('/datastores');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Refresh from Proxmox' }));

    expect(await screen.findByText('1 datastores read from Proxmox')).toBeInTheDocument();
    expect(within(rowOf('local-lvm')).getByText('400 GiB of 800 GiB (50%)')).toBeInTheDocument();
    expect(screen.queryByRole('rowheader', { name: 'ssd-pool' })).not.toBeInTheDocument();
    expect(api.calls('POST /api/datastores/refresh')[0]?.headers.get('x-csrf-token')).toBe('csrf-ds');
  });

  it('says when Proxmox could not be read', async () => {
    const api = pageApi(operatorUser);
    api.on('POST /api/datastores/refresh', () =>
      fail(502, 'PVE_ERROR', 'Proxmox answered 500: storage is offline'),
    );
    renderApp('/datastores');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Refresh from Proxmox' }));
    expect(await screen.findByText('Could not read the datastores from Proxmox')).toBeInTheDocument();
    expect(screen.getByText('Proxmox answered 500: storage is offline')).toBeInTheDocument();
  });

  it('lets administrators choose the defaults among datastores holding images, showing the server’s messages on the fields', async () => {
    const api = pageApi(adminUser);
    api.on('POST /api/datastores/default', ({ body }) =>
      body?.ssd_datastore_id === 'local-lvm'
        ? fail(400, 'VALIDATION_FAILED', 'Invalid input: ssd_datastore_id', {
            fields: { ssd_datastore_id: '"local-lvm" went away' },
          })
        : ok({
            ...LIST,
            default_ssd: body?.ssd_datastore_id ?? null,
            defaults_chosen: { hdd: true, ssd: true },
          }),
    );
    renderApp('/datastores');
    const user = userEvent.setup();
    const ssd = await screen.findByRole('combobox', { name: 'SSD datastore' });
    expect(
      within(ssd)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['local-lvm', 'ssd-pool']);
    expect(screen.getByText('Chosen automatically until an administrator sets it')).toBeInTheDocument();

    await user.selectOptions(ssd, 'local-lvm');
    await user.click(screen.getByRole('button', { name: 'Save defaults' }));
    expect(await screen.findByText('"local-lvm" went away')).toBeInTheDocument();
    expect(ssd).toHaveAttribute('aria-invalid', 'true');

    await user.selectOptions(ssd, 'ssd-pool');
    await user.click(screen.getByRole('button', { name: 'Save defaults' }));
    expect(await screen.findByText('Defaults saved: HDD local-lvm, SSD ssd-pool')).toBeInTheDocument();
    expect(api.calls('POST /api/datastores/default').map((call) => call.body)).toEqual([
      { hdd_datastore_id: 'local-lvm', ssd_datastore_id: 'local-lvm' },
      { hdd_datastore_id: 'local-lvm', ssd_datastore_id: 'ssd-pool' },
    ]);
  });

  it('shows an empty state when Proxmox reports no storage', async () => {
    pageApi(viewerUser, { ...LIST, datastores: [], default_hdd: null, default_ssd: null });
    renderApp('/datastores');
    expect(await screen.findByText('Proxmox reports no storage.')).toBeInTheDocument();
    expect(screen.getByText(/HDD: none · SSD: none/)).toBeInTheDocument();
  });

  it('shows an error with a way to try again', async () => {
    const api = pageApi();
    let answer: ReplyFor<'GET /api/datastores'> = fail(
      503,
      'DEPENDENCY_UNAVAILABLE',
      'Proxmox is unreachable: connect ECONNREFUSED',
    );
    api.on('GET /api/datastores', () => answer);
    renderApp('/datastores');
    expect(await screen.findByText('Could not load the datastores')).toBeInTheDocument();
    expect(screen.getByText('Proxmox is unreachable: connect ECONNREFUSED')).toBeInTheDocument();
    answer = ok(LIST);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Datastores' })).toBeInTheDocument();
  });
});
