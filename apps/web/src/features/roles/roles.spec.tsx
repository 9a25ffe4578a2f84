import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { RoleRunEvent } from '@proxdeck/contracts';
import { accepted, fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, dbRole, makeServer, makeSession, viewerUser, webRole } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { User } from '../auth/auth.queries';
import type { Server } from '../servers/servers.queries';
import { applyRoleRunEvent, type RoleRun } from './roles.queries';
import { initialVariables, variablesToSend } from './role-variables';

const TASK = '5b0e8c1e-2f7a-4c55-9d4e-1a2b3c4d5e6f';

function makeRun(overrides: Partial<RoleRun> = {}): RoleRun {
  return {
    id: 7,
    server: 'web-01',
    role: 'db',
    action: 'apply',
    status: 'succeeded',
    task_id: TASK,
    address: '10.10.0.21',
    variables: { db_name: 'shop', db_root_password: '********' },
    exit_code: 0,
    error: null,
    started_at: '2026-12-01T02:00:00.000Z',
    finished_at: '2026-12-01T02:01:00.000Z',
    log: 'PLAY [all]\nTASK [db : Install MariaDB]\nok: [web-01]\n',
    ...overrides,
  };
}

const WEB = makeServer({ name: 'web-01', ip_addresses: ['10.10.0.21'], role: null });
const DB = makeServer({ id: 2, name: 'db-01', vmid: 102, ip_addresses: ['10.10.0.22'], role: 'db' });

function rolesApi({
  user = adminUser,
  servers = [WEB, DB],
  runs = [makeRun()],
}: { user?: User; servers?: Server[]; runs?: RoleRun[] } = {}) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/roles/available': () => ok([webRole, dbRole]),
    'GET /api/roles/runs': ({ query }) => {
      const matching = runs.filter(
        (run) =>
          (query.get('server') === null || run.server === query.get('server')) &&
          (query.get('task_id') === null || run.task_id === query.get('task_id')) &&
          (query.get('status') === null || run.status === query.get('status')),
      );
      return ok(matching, { pagination: { page: 1, per_page: 20, total: matching.length, pages: 1 } });
    },
    'GET /api/roles/runs/{run_id}': ({ params }) => {
      const run = runs.find((candidate) => String(candidate.id) === params.run_id);
      return run ? ok(run) : fail(404, 'NOT_FOUND', 'Role run not found');
    },
    'GET /api/servers': ({ query }) => {
      const role = query.get('role');
      const matching = servers.filter((server) => role === null || server.role === role);
      return ok(matching, { pagination: { page: 1, per_page: 25, total: matching.length, pages: 1 } });
    },
    'GET /api/servers/{name}': ({ params }) => {
      const server = servers.find((candidate) => candidate.name === params.name);
      return server ? ok(server) : fail(404, 'NOT_FOUND', 'Server not found');
    },
    'POST /api/assign_role/{server_name}': () =>
      accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
    'POST /api/roles/dry_run/{server_name}': () =>
      accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
    'POST /api/remove_role/{server_name}': () =>
      accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
    'POST /api/roles/assign_bulk': () => accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
  });
}

function roleRunEvent(overrides: Partial<RoleRunEvent> = {}): RoleRunEvent {
  return {
    run_id: 9,
    task_id: TASK,
    server: 'web-01',
    role: 'db',
    action: 'apply',
    status: 'running',
    offset: 0,
    lines: [],
    ...overrides,
  };
}

describe('the role form', () => {
  it('starts from the defaults or an earlier run, never from a secret', () => {
    expect(initialVariables(webRole)).toEqual({
      web_listen_port: 80,
      web_server_names: ['_'],
      web_tls: false,
    });
    expect(initialVariables(dbRole, { db_name: 'shop', db_root_password: '********' })).toEqual({
      db_name: 'shop',
      db_root_password: '',
      db_port: 3306,
    });
  });

  it('sends typed values, leaves blank optional ones to the defaults, and names problems as the API does', () => {
    const messages = { required: 'is required', integer: 'must be an integer' };
    expect(
      variablesToSend(webRole, { web_listen_port: '8080', web_server_names: [], web_tls: true }, messages),
    ).toEqual({ variables: { web_listen_port: 8080, web_tls: true }, problems: {} });
    expect(variablesToSend(webRole, { web_listen_port: '80.5' }, messages).problems).toEqual({
      'variables.web_listen_port': 'must be an integer',
    });
    expect(variablesToSend(dbRole, { db_root_password: '', db_name: '' }, messages).problems).toEqual({
      'variables.db_root_password': 'is required',
    });
  });
});

describe('applyRoleRunEvent', () => {
  const run = makeRun({ status: 'running', log: 'a\nb\n' });

  it('adds the lines not yet there, once, and takes the final status', () => {
    expect(applyRoleRunEvent(run, roleRunEvent({ offset: 2, lines: ['c'] }))?.log).toBe('a\nb\nc\n');
    expect(applyRoleRunEvent(run, roleRunEvent({ offset: 1, lines: ['b', 'c'] }))?.log).toBe('a\nb\nc\n');
    expect(applyRoleRunEvent(run, roleRunEvent({ offset: 0, lines: ['a'] }))).toBe(run);
    expect(applyRoleRunEvent(run, roleRunEvent({ offset: 2, lines: [], status: 'failed' }))).toMatchObject({
      status: 'failed',
      log: 'a\nb\n',
    });
  });

  it('asks for the run again when lines are missing in between', () => {
    expect(applyRoleRunEvent(run, roleRunEvent({ offset: 3, lines: ['d'] }))).toBeNull();
  });
});

describe('the roles page', () => {
  it('shows the catalogue with each role’s settings and servers, and the runs with their output', async () => {
    const user = userEvent.setup();
    rolesApi();
    renderApp('/roles');
    const db = await screen.findByTestId('role-card-db');
    expect(db).toHaveTextContent('Database (MariaDB)');
    expect(db).toHaveTextContent('Installs MariaDB.');
    expect(await within(db).findByRole('link', { name: 'db-01' })).toHaveAttribute(
      'href',
      '/servers/db-01?tab=role',
    );
    await user.click(within(db).getByRole('button', { name: 'Settings of db' }));
    expect(within(db).getByText('db_root_password')).toBeInTheDocument();
    expect(within(db).getByText('secret, never stored')).toBeInTheDocument();
    expect(within(db).getByText('required')).toBeInTheDocument();
    const web = screen.getByTestId('role-card-web');
    expect(within(web).getByText('No server has it.')).toBeInTheDocument();

    const runs = screen.getByRole('table', { name: 'Role runs' });
    const row = within(runs).getByTestId('role-run-row-7');
    expect(row).toHaveTextContent('web-01');
    expect(row).toHaveTextContent('Succeeded');
    await user.click(within(row).getByRole('button', { name: 'Output of run 7' }));
    const dialog = await screen.findByRole('dialog', { name: 'Output of run 7' });
    expect(await within(dialog).findByTestId('role-run-output')).toHaveTextContent(
      'TASK [db : Install MariaDB]',
    );
  });

  it('runs a role again from its earlier values, asking for the secret again', async () => {
    const user = userEvent.setup();
    const api = rolesApi();
    renderApp('/roles');
    await user.click(await screen.findByRole('button', { name: 'Run db on web-01 again' }));
    const dialog = await screen.findByRole('dialog', { name: 'Assign a role to web-01' });
    expect(await within(dialog).findByLabelText(/db_name/)).toHaveValue('shop');
    const secret = within(dialog).getByLabelText(/db_root_password/);
    expect(secret).toHaveValue('');
    await user.click(within(dialog).getByRole('button', { name: 'Apply Database (MariaDB)' }));
    expect(await within(dialog).findByText('is required')).toBeInTheDocument();
    expect(api.calls('POST /api/assign_role/{server_name}')).toEqual([]);
    await user.type(secret, 's3cret-pass');
    await user.click(within(dialog).getByRole('button', { name: 'Apply Database (MariaDB)' }));
    await waitFor(() => {
      expect(api.calls('POST /api/assign_role/{server_name}').map((call) => call.body)).toEqual([
        { role: 'db', variables: { db_root_password: 's3cret-pass', db_name: 'shop', db_port: 3306 } },
      ]);
    });
    expect(await screen.findByRole('dialog', { name: 'db is running on web-01' })).toBeInTheDocument();
  });

  it('says so when there is no run yet, and when the catalogue cannot be read', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/roles/available': () => fail(500, 'INTERNAL', 'ansible/roles is unreadable'),
      'GET /api/roles/runs': () => ok([], { pagination: { page: 1, per_page: 20, total: 0, pages: 0 } }),
    });
    renderApp('/roles');
    expect(await screen.findByText('No role has run yet.')).toBeInTheDocument();
    expect(
      await screen.findByText('Could not load the roles: ansible/roles is unreadable'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Run .+ again$/ })).not.toBeInTheDocument();
  });
});

describe("a server's Role tab", () => {
  it('assigns a role with a form built from its settings, the server’s messages on their fields, then shows the run live', async () => {
    installFakeEventSource();
    const user = userEvent.setup();
    const api = rolesApi({ runs: [] });
    api.on('POST /api/assign_role/{server_name}', ({ body }) =>
      (body as { variables?: Record<string, unknown> }).variables?.web_listen_port === 70000
        ? fail(400, 'VALIDATION_FAILED', 'Invalid input', {
            fields: { 'variables.web_listen_port': 'must be 1..65535' },
          })
        : accepted({ task_id: TASK, status: 'queued' }, { message: 'q' }),
    );
    renderApp('/servers/web-01?tab=role');
    expect(await screen.findByTestId('server-role')).toHaveTextContent('No role assigned');
    act(() => {
      latestEventSource().open();
    });
    await user.click(screen.getByRole('button', { name: 'Assign a role' }));
    const dialog = await screen.findByRole('dialog', { name: 'Assign a role to web-01' });
    await user.click(within(dialog).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Web server (nginx) (web)' }));
    const port = await within(dialog).findByLabelText(/web_listen_port/);
    expect(port).toHaveValue('80');
    expect(within(dialog).getByRole('switch', { name: /web_tls/ })).not.toBeChecked();
    await user.clear(port);
    await user.type(port, '70000');
    await user.click(within(dialog).getByRole('button', { name: 'Apply Web server (nginx)' }));
    expect(await within(dialog).findByText('must be 1..65535')).toBeInTheDocument();

    await user.clear(port);
    await user.type(port, '8080');
    await user.click(within(dialog).getByRole('switch', { name: /web_tls/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Apply Web server (nginx)' }));
    await waitFor(() => {
      expect(api.calls('POST /api/assign_role/{server_name}').at(-1)?.body).toEqual({
        role: 'web',
        variables: { web_listen_port: 8080, web_server_names: ['_'], web_tls: true },
      });
    });
    const live = await screen.findByTestId('role-live-run');
    expect(within(live).getByTestId('role-run-output')).toHaveTextContent('Waiting for ansible-playbook…');

    // The run's first event names it; its output then follows event by event.
    const started = makeRun({
      id: 9,
      role: 'web',
      status: 'running',
      log: '',
      exit_code: null,
      finished_at: null,
    });
    api.on('GET /api/roles/runs/{run_id}', () => ok(started));
    act(() => {
      latestEventSource().emit('role_run', roleRunEvent({ role: 'web' }));
    });
    expect(await within(live).findByText('Running')).toBeInTheDocument();
    act(() => {
      latestEventSource().emit(
        'role_run',
        roleRunEvent({ role: 'web', lines: ['PLAY [all]', 'TASK [web : Install nginx]'] }),
      );
    });
    await waitFor(() => {
      expect(within(live).getByTestId('role-run-output')).toHaveTextContent('TASK [web : Install nginx]');
    });
    // Another server's run changes nothing here.
    act(() => {
      latestEventSource().emit(
        'role_run',
        roleRunEvent({ run_id: 10, server: 'db-01', offset: 0, lines: ['elsewhere'] }),
      );
    });
    expect(within(live).getByTestId('role-run-output')).not.toHaveTextContent('elsewhere');
  });

  it('says that changing the role leaves the current one installed, unless its removal is asked for first', async () => {
    const user = userEvent.setup();
    const api = rolesApi();
    renderApp('/servers/db-01?tab=role');
    await user.click(await screen.findByRole('button', { name: 'Change the role' }));
    const dialog = await screen.findByRole('dialog', { name: 'Assign a role to db-01' });
    await within(dialog).findByLabelText(/db_root_password/);
    expect(within(dialog).queryByTestId('role-switch-note')).not.toBeInTheDocument();
    expect(within(dialog).queryByRole('checkbox', { name: 'Remove db first' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Web server (nginx) (web)' }));
    expect(await within(dialog).findByTestId('role-switch-note')).toHaveTextContent(
      'db stays installed: applying another role does not run its removal tasks',
    );
    // Asking for the removal says what it destroys, and the note goes.
    const replace = within(dialog).getByRole('checkbox', { name: 'Remove db first' });
    expect(
      within(dialog).getByText(
        /Runs db's removal tasks first: what it installed and configured on db-01 is removed, then Web server \(nginx\) is applied/,
      ),
    ).toBeInTheDocument();
    await user.click(replace);
    expect(within(dialog).queryByTestId('role-switch-note')).not.toBeInTheDocument();
    // A dry run changes nothing, so it removes nothing either.
    await user.click(within(dialog).getByRole('button', { name: /Dry run/ }));
    await waitFor(() => {
      expect(api.calls('POST /api/roles/dry_run/{server_name}')).toHaveLength(1);
    });
    expect(api.calls('POST /api/roles/dry_run/{server_name}')[0]?.body).not.toHaveProperty('replace');
  });

  it('sends replace with the apply when the current role is to be removed first', async () => {
    const user = userEvent.setup();
    const api = rolesApi();
    renderApp('/servers/db-01?tab=role');
    await user.click(await screen.findByRole('button', { name: 'Change the role' }));
    const dialog = await screen.findByRole('dialog', { name: 'Assign a role to db-01' });
    await user.click(within(dialog).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Web server (nginx) (web)' }));
    await user.click(await within(dialog).findByRole('checkbox', { name: 'Remove db first' }));
    await user.click(within(dialog).getByRole('button', { name: 'Apply Web server (nginx)' }));
    await waitFor(() => {
      expect(api.calls('POST /api/assign_role/{server_name}').map((call) => call.body)).toEqual([
        {
          role: 'web',
          variables: { web_listen_port: 80, web_server_names: ['_'], web_tls: false },
          replace: true,
        },
      ]);
    });
  });

  it('removes the role after a confirmation saying what the removal destroys', async () => {
    const user = userEvent.setup();
    const api = rolesApi();
    renderApp('/servers/db-01?tab=role');
    await waitFor(() => {
      expect(screen.getByTestId('server-role')).toHaveTextContent('Database (MariaDB)');
    });
    await user.click(screen.getByRole('button', { name: 'Remove db' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove db from db-01?' });
    expect(within(dialog).getByTestId('role-remove-body')).toHaveTextContent(
      'Runs the removal tasks of db on db-01',
    );
    expect(within(dialog).getByTestId('role-remove-body')).toHaveTextContent('may be deleted');
    await user.click(within(dialog).getByRole('button', { name: 'Remove db' }));
    await waitFor(() => {
      expect(api.calls('POST /api/remove_role/{server_name}').map((call) => call.params)).toEqual([
        { server_name: 'db-01' },
      ]);
    });
  });

  it('shows the role but no buttons to a viewer', async () => {
    rolesApi({ user: viewerUser });
    renderApp('/servers/db-01?tab=role');
    await waitFor(() => {
      expect(screen.getByTestId('server-role')).toHaveTextContent('Database (MariaDB)');
    });
    expect(screen.getByText('Assigning roles needs the assign roles permission.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Change the role' })).not.toBeInTheDocument();
  });
});

describe('assigning a role from the server list', () => {
  it('sends every selected server in one bulk request', async () => {
    const user = userEvent.setup();
    const api = rolesApi();
    const { location } = renderApp('/servers');
    await user.click(await screen.findByRole('checkbox', { name: 'Select every server of this page' }));
    await user.click(screen.getByRole('button', { name: 'Assign a role' }));
    const dialog = await screen.findByRole('dialog', { name: 'Assign a role to 2 servers' });
    expect(within(dialog).getByTestId('role-assign-servers')).toHaveTextContent('web-01, db-01');
    expect(within(dialog).queryByRole('button', { name: /Dry run/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Web server (nginx) (web)' }));
    await user.click(
      await within(dialog).findByRole('checkbox', { name: "Remove each server's other role first" }),
    );
    await user.click(await within(dialog).findByRole('button', { name: 'Apply Web server (nginx)' }));
    await waitFor(() => {
      expect(api.calls('POST /api/roles/assign_bulk').map((call) => call.body)).toEqual([
        {
          server_names: ['web-01', 'db-01'],
          role: 'web',
          variables: { web_listen_port: 80, web_server_names: ['_'], web_tls: false },
          replace: true,
        },
      ]);
    });
    expect(await screen.findByText('web is running on 2 servers')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Open the task' }));
    await waitFor(() => {
      expect(location()).toBe(`/tasks/${TASK}`);
    });
  });
});
