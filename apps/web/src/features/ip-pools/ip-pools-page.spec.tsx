import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type ReplyFor } from '../../../test/api-mock';
import { adminUser, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { IpPool } from './ip-pools.queries';

function pool(overrides: Partial<IpPool> = {}): IpPool {
  return {
    id: 1,
    bridge: 'vmbr0',
    cidr: '10.10.0.0/24',
    gateway: '10.10.0.1',
    range_start: '10.10.0.100',
    range_end: '10.10.0.250',
    dns: ['10.10.0.1'],
    capacity: 151,
    allocated: 3,
    free: 149,
    created_at: '2026-11-30T10:00:00.000Z',
    updated_at: '2026-11-30T10:00:00.000Z',
    ...overrides,
  };
}

const SECOND = pool({
  id: 2,
  bridge: 'vmbr1',
  cidr: '10.20.0.0/24',
  gateway: '10.20.0.1',
  range_start: '10.20.0.10',
  range_end: '10.20.0.19',
  dns: [],
  capacity: 10,
  allocated: 0,
  free: 10,
});

function pageApi(pools: IpPool[] = [pool(), SECOND]) {
  let current = pools;
  const api = mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-pools')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/ip_pools': () => ok(current),
  });
  return {
    api,
    setPools: (next: IpPool[]) => {
      current = next;
    },
  };
}

function rowOf(cidr: string): HTMLElement {
  const row = within(screen.getByRole('table', { name: 'IP pools' }))
    .getByRole('rowheader', { name: cidr })
    .closest('tr');
  if (!row) throw new Error(`no row for ${cidr}`);
  return row;
}

describe('the IP pools page', () => {
  it('lists the pools with their usage, for administrators only', async () => {
    pageApi();
    renderApp('/ip-pools');

    expect(await screen.findByRole('heading', { name: 'IP pools', level: 1 })).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'Main navigation' })).getByRole('link', {
        name: 'IP pools',
      }),
    ).toBeInTheDocument();
    await screen.findByRole('table', { name: 'IP pools' });
    // 3 held, of which 1 pinned outside the range: 2 of the range's 151 in use.
    expect(within(rowOf('10.10.0.0/24')).getByText('2 of 151 in use · 149 free')).toBeInTheDocument();
    expect(within(rowOf('10.10.0.0/24')).getByText('1 pinned outside the range')).toBeInTheDocument();
    expect(within(rowOf('10.10.0.0/24')).getByText('10.10.0.100 – 10.10.0.250')).toBeInTheDocument();
    expect(within(rowOf('10.20.0.0/24')).getByText('none')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: '10.20.0.0/24: 0 of 10 addresses in use' }),
    ).toBeInTheDocument();
  });

  it('is not offered to users without admin_access', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    });
    renderApp('/ip-pools');
    expect(await screen.findByText('No access')).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'Main navigation' })).queryByRole('link', {
        name: 'IP pools',
      }),
    ).not.toBeInTheDocument();
  });

  it('creates a pool, showing the server’s validation messages on their fields', async () => {
    const { api, setPools } = pageApi([pool()]);
    const created = pool({
      ...SECOND,
      id: 3,
      cidr: '10.30.0.0/24',
      gateway: '10.30.0.1',
      range_start: '10.30.0.10',
      range_end: '10.30.0.19',
      dns: ['1.1.1.1', '8.8.8.8'],
    });
    api.on('POST /api/ip_pools', ({ body, reply }) => {
      if (body?.cidr === '10.10.0.0/25')
        return fail(400, 'VALIDATION_FAILED', 'Invalid input: cidr, gateway', {
          fields: {
            cidr: 'overlaps pool 1 (10.10.0.0/24 on vmbr0)',
            gateway: 'must be a host address inside 10.10.0.0/25',
          },
        });
      setPools([pool(), created]);
      return reply(201, { success: true, data: created, message: 'IP pool 10.30.0.0/24 on vmbr1 created' });
    });
    renderApp('/ip-pools');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New IP pool' }));
    const dialog = await screen.findByRole('dialog', { name: 'New IP pool' });
    const field = (name: string) => within(dialog).getByRole('textbox', { name: new RegExp(`^${name}`) });
    // The keyboard starts in the first field.
    await waitFor(() => {
      expect(field('Bridge')).toHaveFocus();
    });

    await user.type(field('Bridge'), 'vmbr1');
    await user.type(field('Network'), '10.10.0.0/25');
    await user.type(field('Gateway'), '10.30.0.1');
    await user.type(field('Range start'), '10.30.0.10');
    await user.type(field('Range end'), '10.30.0.19');
    await user.type(field('DNS servers'), '1.1.1.1, 8.8.8.8');
    await user.click(within(dialog).getByRole('button', { name: 'Create pool' }));

    expect(await within(dialog).findByText('overlaps pool 1 (10.10.0.0/24 on vmbr0)')).toBeInTheDocument();
    expect(within(dialog).getByText('must be a host address inside 10.10.0.0/25')).toBeInTheDocument();
    expect(field('Network')).toHaveAttribute('aria-invalid', 'true');

    await user.clear(field('Network'));
    await user.type(field('Network'), '10.30.0.0/24');
    await user.click(within(dialog).getByRole('button', { name: 'Create pool' }));

    expect(await screen.findByText('IP pool 10.30.0.0/24 on vmbr1 created')).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByRole('dialog', { name: 'New IP pool' })).not.toBeInTheDocument();
    });
    expect(await screen.findByRole('rowheader', { name: '10.30.0.0/24' })).toBeInTheDocument();
    expect(api.calls('POST /api/ip_pools').map((call) => call.body)).toEqual([
      {
        bridge: 'vmbr1',
        cidr: '10.10.0.0/25',
        gateway: '10.30.0.1',
        range_start: '10.30.0.10',
        range_end: '10.30.0.19',
        dns: ['1.1.1.1', '8.8.8.8'],
      },
      {
        bridge: 'vmbr1',
        cidr: '10.30.0.0/24',
        gateway: '10.30.0.1',
        range_start: '10.30.0.10',
        range_end: '10.30.0.19',
        dns: ['1.1.1.1', '8.8.8.8'],
      },
    ]);
  });

  it('changes a pool from its current values', async () => {
    const { api } = pageApi();
    api.on('PUT /api/ip_pools/{id}', ({ body }) => ok(pool({ ...SECOND, range_end: body?.range_end ?? '' })));
    renderApp('/ip-pools');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit 10.20.0.0/24' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit IP pool 10.20.0.0/24' });
    const rangeEnd = within(dialog).getByRole('textbox', { name: 'Range end' });
    expect(rangeEnd).toHaveValue('10.20.0.19');
    await user.clear(rangeEnd);
    await user.type(rangeEnd, '10.20.0.99');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('IP pool 10.20.0.0/24 on vmbr1 changed')).toBeInTheDocument();
    expect(api.calls('PUT /api/ip_pools/{id}').map((call) => [call.params, call.body])).toEqual([
      [
        { id: '2' },
        {
          bridge: 'vmbr1',
          cidr: '10.20.0.0/24',
          gateway: '10.20.0.1',
          range_start: '10.20.0.10',
          range_end: '10.20.0.99',
          dns: [],
        },
      ],
    ]);
  });

  it('deletes a pool only after a confirmation naming it, and reports a refusal', async () => {
    const { api, setPools } = pageApi();
    api.on('DELETE /api/ip_pools/{id}', ({ params }) => {
      if (params.id === '1')
        return fail(
          409,
          'CONFLICT',
          'IP pool 1 (10.10.0.0/24 on vmbr0) has 3 addresses allocated: release them first',
          {
            allocations: 3,
          },
        );
      setPools([pool()]);
      return ok(null, { message: 'IP pool 10.20.0.0/24 on vmbr1 deleted' });
    });
    renderApp('/ip-pools');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Delete 10.20.0.0/24' }));
    let confirm = await screen.findByRole('dialog', { name: 'Delete IP pool 10.20.0.0/24?' });
    expect(confirm).toHaveTextContent(
      'The pool 10.20.0.0/24 on bridge vmbr1 (gateway 10.20.0.1, range 10.20.0.10 – 10.20.0.19) will be deleted.',
    );
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog', { name: 'Delete IP pool 10.20.0.0/24?' })).not.toBeInTheDocument();
    });
    expect(api.calls('DELETE /api/ip_pools/{id}')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Delete 10.10.0.0/24' }));
    confirm = await screen.findByRole('dialog', { name: 'Delete IP pool 10.10.0.0/24?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete 10.10.0.0/24' }));
    expect(await screen.findByText('IP pool 10.10.0.0/24 was not deleted')).toBeInTheDocument();
    expect(screen.getByText(/has 3 addresses allocated: release them first/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Delete 10.20.0.0/24' }));
    confirm = await screen.findByRole('dialog', { name: 'Delete IP pool 10.20.0.0/24?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete 10.20.0.0/24' }));
    expect(await screen.findByText('IP pool 10.20.0.0/24 deleted')).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByRole('rowheader', { name: '10.20.0.0/24' })).not.toBeInTheDocument();
    });
    expect(api.calls('DELETE /api/ip_pools/{id}').map((call) => call.params)).toEqual([
      { id: '1' },
      { id: '2' },
    ]);
  });

  it('shows the addresses held in a pool, and by whom', async () => {
    const { api } = pageApi();
    api.on('GET /api/ip_pools/{id}', () =>
      ok({
        ...pool(),
        allocations: [
          {
            address: '10.10.0.100',
            prefix: 24,
            gateway: '10.10.0.1',
            bridge: 'vmbr0',
            owner: 'server:web-01',
            nic: 0,
          },
          {
            address: '10.10.0.101',
            prefix: 24,
            gateway: '10.10.0.1',
            bridge: 'vmbr0',
            owner: 'server:web-02',
            nic: 1,
          },
        ],
      }),
    );
    renderApp('/ip-pools');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Addresses of 10.10.0.0/24' }));
    const dialog = await screen.findByRole('dialog', { name: 'Addresses of 10.10.0.0/24' });
    const table = await within(dialog).findByRole('table', { name: 'Addresses in use' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['AddressHeld byNIC', '10.10.0.100server:web-01net0', '10.10.0.101server:web-02net1']);
    expect(api.calls('GET /api/ip_pools/{id}').map((call) => call.params)).toEqual([{ id: '1' }]);
  });

  it('shows an empty state, and an error with a way to try again', async () => {
    const { api } = pageApi([]);
    let answer: ReplyFor<'GET /api/ip_pools'> = fail(403, 'FORBIDDEN', 'Permission admin_access required', {
      required: 'admin_access',
    });
    api.on('GET /api/ip_pools', () => answer);
    renderApp('/ip-pools');
    expect(await screen.findByText('Could not load the IP pools')).toBeInTheDocument();
    answer = ok([]);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('No IP pool yet. Servers then need an explicit address and subnet.'),
    ).toBeInTheDocument();
  });
});
