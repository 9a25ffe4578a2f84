import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { adminUser, makeSession, makeUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { AdminUser, AuditEntry } from './admin.queries';

const operator = makeUser({
  id: 7,
  username: 'lee',
  name: 'Lee Operator',
  role: 'operator',
  permissions: [
    'view_all',
    'create_server',
    'manage_servers',
    'assign_roles',
    'manage_firewall',
    'manage_backups',
  ],
});

const page = (total: number) => ({
  pagination: { page: 1, per_page: 20, total, pages: Math.max(1, Math.ceil(total / 20)) },
});

function adminApi(users: AdminUser[] = [adminUser, operator]) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-admin')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/users': () => ok(users, page(users.length)),
  });
}

function rowOf(table: string, name: string): HTMLElement {
  const row = within(screen.getByRole('table', { name: table }))
    .getByRole('rowheader', { name: new RegExp(name) })
    .closest('tr');
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe('the users page', () => {
  it('lists users with paging and search, marking oneself without actions', async () => {
    const api = adminApi();
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Users', level: 1 })).toBeInTheDocument();
    await screen.findByRole('table', { name: 'Users' });
    expect(within(rowOf('Users', 'lee')).getByText('Operator')).toBeInTheDocument();
    expect(within(rowOf('Users', 'admin')).getByText('you')).toBeInTheDocument();
    expect(within(rowOf('Users', 'admin')).queryByRole('button')).toBeNull();
    expect(screen.getByText('Page 1 of 1 · 2 users')).toBeInTheDocument();

    await userEvent.type(screen.getByRole('textbox', { name: 'Search users' }), 'lee');
    await waitFor(() => {
      expect(api.calls('GET /api/users').some((call) => call.query.get('q') === 'lee')).toBe(true);
    });
  });

  it('shows an empty state and a load failure with a retry', async () => {
    const api = adminApi([]);
    renderApp('/admin/users');
    expect(await screen.findByText('No users match.')).toBeInTheDocument();
    api.on('GET /api/users', () => fail(503, 'DEPENDENCY_UNAVAILABLE', 'Postgres is unreachable'));
    await userEvent.type(screen.getByRole('textbox', { name: 'Search users' }), 'x');
    expect(await screen.findByRole('alert')).toHaveTextContent('Postgres is unreachable');
  });

  it("creates a user, showing the server's messages on their fields", async () => {
    const api = adminApi();
    api.on('POST /api/users', ({ body, reply }) =>
      (body?.password.length ?? 0) < 10
        ? fail(400, 'VALIDATION_FAILED', 'Invalid input: password', {
            fields: { password: 'must be at least 10 characters' },
          })
        : reply(201, {
            success: true,
            data: makeUser({ id: 9, username: 'park', role: 'operator', permissions: operator.permissions }),
            message: 'User park created',
          }),
    );
    const user = userEvent.setup();
    renderApp('/admin/users');
    await user.click(await screen.findByRole('button', { name: 'Add user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    await user.type(within(dialog).getByRole('textbox', { name: /Username/ }), 'park');
    await user.type(within(dialog).getByLabelText(/^Password/), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await within(dialog).findByText('must be at least 10 characters')).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText(/^Password/));
    await user.type(within(dialog).getByLabelText(/^Password/), 'long-enough-pass');
    await user.click(within(dialog).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Operator' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('User park created')).toBeInTheDocument();
    expect(api.calls('POST /api/users').at(-1)?.body).toEqual({
      username: 'park',
      password: 'long-enough-pass',
      role: 'operator',
    });
    expect(api.calls('POST /api/users').at(-1)?.headers.get('x-csrf-token')).toBe('csrf-admin');
  });

  it('deletes a user only after a confirmation naming them and what is destroyed', async () => {
    const api = adminApi();
    api.on('DELETE /api/users/{username}', () => ok(null));
    const user = userEvent.setup();
    renderApp('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    await user.click(screen.getByRole('button', { name: 'Actions for lee' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Delete' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete lee?' });
    expect(confirm).toHaveTextContent(
      'every session, every API token and the notifications sent to them are deleted',
    );
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(api.calls('DELETE /api/users/{username}')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Actions for lee' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Delete' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Delete lee?' })).getByRole('button', {
        name: 'Delete lee',
      }),
    );
    await waitFor(() => {
      expect(api.calls('DELETE /api/users/{username}').map((call) => call.params)).toEqual([
        { username: 'lee' },
      ]);
    });
    expect(await screen.findByText('User lee deleted')).toBeInTheDocument();
  });

  it('resets a password, showing a refusal from the policy', async () => {
    const api = adminApi();
    api.on('POST /api/users/{username}/password', () =>
      fail(400, 'VALIDATION_FAILED', 'Invalid input: new_password', {
        fields: { new_password: 'must not be the username' },
      }),
    );
    const user = userEvent.setup();
    renderApp('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    await user.click(screen.getByRole('button', { name: 'Actions for lee' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Reset password' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reset the password of lee' });
    await user.type(within(dialog).getByLabelText(/^New password/), 'lee');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));
    expect(await within(dialog).findByText('must not be the username')).toBeInTheDocument();
  });
});

describe('the IAM page', () => {
  it('saves a changed permission set and applies a role preset; one’s own row is locked', async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-admin')),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/iam/data': () =>
        ok({
          users: [
            {
              username: 'admin',
              name: '',
              role: 'admin',
              permissions: adminUser.permissions,
              is_active: true,
            },
            { username: 'lee', name: '', role: 'viewer', permissions: ['view_all'], is_active: true },
          ],
          roles: { admin: adminUser.permissions, operator: operator.permissions, viewer: ['view_all'] },
          permissions: adminUser.permissions.map((name) => ({ name, description: `about ${name}` })),
        }),
      'POST /api/iam/{username}/permissions': () => ok(operator),
      'POST /api/iam/{username}/role': () => ok(operator),
    });
    const user = userEvent.setup();
    renderApp('/admin/iam');
    await screen.findByRole('table', { name: 'Permission matrix' });
    expect(screen.getByRole('checkbox', { name: 'Administration for admin' })).toBeDisabled();
    const save = screen.getByRole('button', { name: 'Save the permissions of lee' });
    expect(save).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Manage backups for lee' }));
    expect(save).toBeEnabled();
    await user.click(save);
    await waitFor(() => {
      expect(api.calls('POST /api/iam/{username}/permissions').map((call) => call.body)).toEqual([
        { permissions: ['view_all', 'manage_backups'] },
      ]);
    });
    await user.click(screen.getByRole('textbox', { name: 'Role of lee' }));
    await user.click(await screen.findByRole('option', { name: 'Operator' }));
    await waitFor(() => {
      expect(api.calls('POST /api/iam/{username}/role').map((call) => call.body)).toEqual([
        { role: 'operator' },
      ]);
    });
  });
});

describe('the audit page', () => {
  const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
    id: '1',
    at: '2026-11-30T10:00:00.000Z',
    actor: 'admin',
    actor_user_id: 2,
    token_id: null,
    via: 'session',
    action: 'POST /api/servers',
    target: 'web-01',
    params: { body: { name: 'web-01', vm_password: '[redacted]' } },
    status: 202,
    result: 'succeeded',
    error_code: null,
    task_id: '11111111-2222-4333-8444-555555555555',
    upids: ['UPID:pve1:1', 'UPID:pve1:2'],
    ip: '10.0.0.5',
    ...overrides,
  });

  it('lists entries linking to their task, filters them and exports what is shown', async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/audit': () =>
        ok(
          [
            entry({}),
            entry({
              id: '2',
              actor: null,
              via: null,
              action: 'POST /login',
              target: null,
              status: 401,
              result: 'refused',
              error_code: 'INVALID_CREDENTIALS',
              task_id: null,
              upids: [],
            }),
          ],
          page(2),
        ),
    });
    const user = userEvent.setup();
    renderApp('/admin/audit');
    await screen.findByRole('table', { name: 'Audit log' });
    expect(
      screen.getByRole('link', { name: 'Open task 11111111-2222-4333-8444-555555555555' }),
    ).toHaveAttribute('href', '/tasks/11111111-2222-4333-8444-555555555555');
    expect(screen.getByText('2 Proxmox tasks')).toBeInTheDocument();
    expect(screen.getByText('anonymous')).toBeInTheDocument();
    expect(screen.getByText('Refused · 401')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'User' }), 'admin');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => {
      expect(api.calls('GET /api/audit').at(-1)?.query.get('actor')).toBe('admin');
    });
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
      'href',
      '/api/audit/export?actor=admin',
    );
  });
});

describe('administration in the navigation', () => {
  it('is hidden from operators, who still have their API tokens', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(operator)),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/tokens': () => ok([]),
    });
    renderApp('/tokens');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(await within(nav).findByRole('link', { name: 'API tokens' })).toBeInTheDocument();
    for (const name of ['Users', 'Permissions', 'Audit log'])
      expect(within(nav).queryByRole('link', { name })).toBeNull();
  });
});
