import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accepted, fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, dbRole, makeClusterStatus, makeSession, makeTask } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import { queryKeys } from '../../lib/query-keys';
import type { Task } from './servers.queries';

const TASK_ID = '0b7d2f8e-5c1a-4f7e-9a44-3d2b1c0e9f11';

const queuedTask = makeTask({
  task_id: TASK_ID,
  type: 'servers.create',
  status: 'running',
  progress: 0,
  result: null,
  finished_at: null,
  items: ['web-01', 'web-02', 'web-03'].map((name) => ({
    name,
    status: 'queued',
    step: null,
    progress: 0,
    error: null,
    pve_upids: [],
    steps_done: [],
  })),
});

/** The API: each read of the task answers what `taskReads` holds next (the last one again and again). */
function wizardApi(taskReads: Task[] = [queuedTask]) {
  let read = 0;
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/all_server_status': () => ok(makeClusterStatus()),
    'GET /api/datastores': () =>
      ok({
        datastores: [],
        default_hdd: 'local-lvm',
        default_ssd: null,
        defaults_chosen: { hdd: false, ssd: false },
        refreshed_at: null,
      }),
    'GET /api/ip_pools': () => fail(403, 'FORBIDDEN', 'admin_access required'),
    'GET /api/roles/available': () => ok([dbRole]),
    'POST /api/servers': () => accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'queued' }),
    'POST /api/create_servers_bulk': () =>
      accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'queued' }),
    'GET /api/tasks/{task_id}/status': () => {
      const task = taskReads[Math.min(read, taskReads.length - 1)] ?? queuedTask;
      read += 1;
      return ok(task);
    },
  });
}

async function openWizard() {
  const user = userEvent.setup();
  const app = renderApp('/servers/new');
  await screen.findByRole('form', { name: 'Create servers' });
  return { user, app };
}

describe('the creation wizard', () => {
  it('runs a role as the last step: its settings asked from the catalogue, checked, sent with the request', async () => {
    const api = wizardApi();
    api.on('POST /api/servers', ({ body }) =>
      (body as { role_variables?: Record<string, unknown> }).role_variables?.db_port === 1
        ? fail(400, 'VALIDATION_FAILED', 'Invalid request', {
            fields: { 'role_variables.db_port': 'must be 1024..65535' },
          })
        : accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'queued' }),
    );
    const { user } = await openWizard();
    await user.type(screen.getByLabelText(/^Name/), 'db-01');
    const role = screen.getByRole('group', { name: 'Role' });
    await user.click(within(role).getByRole('textbox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Database (MariaDB) (db)' }));
    const port = await within(role).findByLabelText(/db_port/);
    expect(port).toHaveValue('3306');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(within(role).getByLabelText(/db_root_password/)).toHaveAccessibleDescription(/is required/);
    expect(api.calls('POST /api/servers')).toHaveLength(0);

    await user.type(within(role).getByLabelText(/db_root_password/), 'root-pass-1');
    await user.clear(port);
    await user.type(port, '1');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(await within(role).findByText('must be 1024..65535')).toBeInTheDocument();
    expect(api.calls('POST /api/servers')[0]?.body).toMatchObject({
      name: 'db-01',
      role: 'db',
      role_variables: { db_root_password: 'root-pass-1', db_port: 1 },
    });
    await user.clear(port);
    await user.type(port, '3307');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => {
      expect(api.calls('POST /api/servers')).toHaveLength(2);
    });
    expect(api.calls('POST /api/servers')[1]?.body).toMatchObject({
      role: 'db',
      role_variables: { db_root_password: 'root-pass-1', db_port: 3307 },
    });
  });

  it("checks the fields as the API does, with the API's messages, before sending anything", async () => {
    const api = wizardApi();
    const { user } = await openWizard();
    await user.clear(screen.getByLabelText('CPU cores'));
    await user.type(screen.getByLabelText('CPU cores'), '200');
    await user.clear(screen.getByLabelText('Memory (MB)'));
    await user.type(screen.getByLabelText('Memory (MB)'), '256');
    const disk = screen.getByRole('group', { name: 'Disk 1' });
    await user.clear(within(disk).getByLabelText('Size (GB)'));
    await user.type(within(disk).getByLabelText('Size (GB)'), '0');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create' }));

    expect(screen.getByText('Some fields need attention.')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription('required');
    expect(screen.getByLabelText('CPU cores')).toHaveAccessibleDescription('must be 1..128 cores');
    expect(screen.getByLabelText('Memory (MB)')).toHaveAccessibleDescription('must be 512..1048576 MB');
    expect(within(disk).getByLabelText('Size (GB)')).toHaveAccessibleDescription('must be 1..65536');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('must be 8..128 characters');

    await user.type(screen.getByLabelText(/^Name/), 'Web_01');
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription(
      'must be 1-63 lower-case letters, digits and "-", not starting or ending with "-"',
    );
    expect(api.calls('POST /api/servers')).toHaveLength(0);
  });

  it("shows the API's faults on their fields, nested disks and network devices included", async () => {
    const api = wizardApi();
    api.on('POST /api/servers', () =>
      fail(400, 'VALIDATION_FAILED', 'Invalid request', {
        fields: {
          name: 'web-01 exists already',
          'disks.0.size_gb': "must be at least the template's 32 GB",
          'network_devices.1.ip_address': '10.10.0.5 is in use',
        },
      }),
    );
    const { user } = await openWizard();
    await user.type(screen.getByLabelText(/^Name/), 'web-01');
    await user.click(screen.getByRole('button', { name: 'Add a network device' }));
    const nic = screen.getByRole('group', { name: 'Network device 2' });
    await user.click(within(nic).getByRole('radio', { name: 'Fixed' }));
    await user.type(within(nic).getByLabelText('Address'), '10.10.0.5');
    await user.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('The server refused the request: Invalid request')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription('web-01 exists already');
    const disk = screen.getByRole('group', { name: 'Disk 1' });
    expect(within(disk).getByLabelText('Size (GB)')).toHaveAccessibleDescription(
      "must be at least the template's 32 GB",
    );
    expect(within(nic).getByLabelText('Address')).toHaveAccessibleDescription('10.10.0.5 is in use');
    expect(api.calls('POST /api/servers')[0]?.body).toMatchObject({
      name: 'web-01',
      cpu: 2,
      memory: 2048,
      os_type: 'rocky',
      disks: [{ size_gb: 20, disk_type: 'hdd', datastore_id: 'auto' }],
      network_devices: [
        { bridge: 'vmbr0', ip_address: 'auto' },
        { bridge: 'vmbr0', ip_address: '10.10.0.5' },
      ],
    });

    // Changing a field clears the API's word on it; the others stay.
    await user.clear(within(nic).getByLabelText('Address'));
    await user.type(within(nic).getByLabelText('Address'), '10.10.0.6');
    expect(within(nic).getByLabelText('Address')).toHaveAttribute('aria-invalid', 'false');
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription('web-01 exists already');
  });

  it('previews the names of a batch and sends the pattern', async () => {
    const api = wizardApi();
    const { user } = await openWizard();
    await user.click(screen.getByRole('radio', { name: 'A batch' }));
    await user.type(screen.getByLabelText(/^Base name/), 'web');
    expect(screen.getByTestId('name-preview')).toHaveTextContent('Names: web-01, web-02, web-03');

    await user.clear(screen.getByLabelText('How many'));
    await user.type(screen.getByLabelText('How many'), '12');
    await user.clear(screen.getByLabelText('First number'));
    await user.type(screen.getByLabelText('First number'), '95');
    expect(screen.getByTestId('name-preview')).toHaveTextContent(
      'web-095, web-096, web-097 … web-106 (12 servers)',
    );

    await user.clear(screen.getByLabelText('How many'));
    await user.type(screen.getByLabelText('How many'), '3');
    await user.clear(screen.getByLabelText('First number'));
    await user.type(screen.getByLabelText('First number'), '1');
    await user.click(screen.getByRole('button', { name: 'Create 3 servers' }));

    await screen.findByTestId('creation-progress');
    expect(api.calls('POST /api/create_servers_bulk')[0]?.body).toMatchObject({
      base_name: 'web',
      count: 3,
      start_index: 1,
    });
    expect(api.calls('POST /api/create_servers_bulk')[0]?.body).not.toHaveProperty('name');
  });

  it('checks a batch with the API and shows the names, nodes and addresses it would get, creating nothing', async () => {
    const api = wizardApi();
    const nic = (ip: string | null) => ({ device: 'net0', bridge: 'vmbr0', ip_address: ip, auto: true });
    const planned = (name: string, ip: string | null) => ({
      name,
      node: 'pve2',
      template_vmid: 8000,
      cpu_cores: 2,
      memory_mb: 2048,
      disks: [{ device: 'scsi0', datastore: 'ssd-pool', size_gb: 20 }],
      networks: [nic(ip)],
    });
    api.on('POST /api/servers/preview', () =>
      ok({ servers: [planned('web-01', '10.10.0.100'), planned('web-02', null)] }),
    );
    const { user } = await openWizard();
    await user.click(screen.getByRole('radio', { name: 'A batch' }));
    await user.type(screen.getByLabelText(/^Base name/), 'web');
    await user.clear(screen.getByLabelText('How many'));
    await user.type(screen.getByLabelText('How many'), '2');

    await user.click(screen.getByRole('button', { name: 'Check and preview' }));

    const plan = within(await screen.findByTestId('creation-plan'));
    expect(plan.getByText('10.10.0.100 (auto)')).toBeInTheDocument();
    expect(plan.getByText('none free (auto)')).toBeInTheDocument();
    expect(plan.getAllByText('pve2')).toHaveLength(2);
    expect(api.calls('POST /api/servers/preview')[0]?.body).toMatchObject({ base_name: 'web', count: 2 });
    expect(api.calls('POST /api/create_servers_bulk')).toHaveLength(0);
  });

  it('offers to cancel the servers not started yet while the creation runs', async () => {
    const api = wizardApi([{ ...queuedTask, created_by: adminUser.id }]);
    api.on('POST /api/tasks/{task_id}/cancel', () =>
      accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'Cancelling' }),
    );
    const { user } = await openWizard();
    await user.type(screen.getByLabelText(/^Name/), 'web-01');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await screen.findByTestId('creation-progress');

    await user.click(await screen.findByRole('button', { name: 'Cancel the 3 items not started' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel 3 items' }));
    await waitFor(() => {
      expect(api.calls('POST /api/tasks/{task_id}/cancel')).toHaveLength(1);
    });
  });

  it('follows the task live, then shows the generated passwords once, with links', async () => {
    installFakeEventSource();
    const finished = makeTask({
      ...queuedTask,
      status: 'completed',
      progress: 100,
      items: queuedTask.items.map((item) => ({ ...item, status: 'completed', step: 'done', progress: 100 })),
      result: { secrets: { 'web-01': 'pw-one', 'web-02': 'pw-two', 'web-03': 'pw-three' } },
    });
    const afterwards = makeTask({ ...finished, result: {} });
    const api = wizardApi([queuedTask, finished, afterwards]);
    const { user, app } = await openWizard();
    act(() => {
      latestEventSource().open();
    });
    expect(screen.getByTestId('generated-note')).toHaveTextContent('shown to you once');
    await user.click(screen.getByRole('radio', { name: 'A batch' }));
    await user.type(screen.getByLabelText(/^Base name/), 'web');
    await user.click(screen.getByRole('button', { name: 'Create 3 servers' }));
    const item = await screen.findByTestId('item-web-02');
    expect(item).toHaveTextContent('Queued');

    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'running',
        progress: 40,
        message: 'Cloning',
        items: [{ name: 'web-02', status: 'running', step: 'clone', progress: 40, error: null }],
      });
    });
    await waitFor(() => {
      expect(item).toHaveTextContent('clone');
    });
    expect(item).toHaveTextContent('40%');
    expect(api.calls('GET /api/tasks/{task_id}/status')).toHaveLength(1);

    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'completed',
        progress: 100,
        message: null,
      });
    });
    const secrets = await screen.findByTestId('generated-secrets');
    expect(secrets).toHaveTextContent('pw-two');
    expect(secrets).toHaveTextContent('will not be shown again');
    expect(within(secrets).getByRole('button', { name: 'Copy web-03' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/servers/web-01');
    expect(screen.getByRole('link', { name: 'Open the task' })).toHaveAttribute('href', `/tasks/${TASK_ID}`);
    // Nothing else shows them again: the cached task no longer holds them.
    expect(app.queryClient.getQueryData(queryKeys.tasks.detail(TASK_ID))).toMatchObject({
      status: 'completed',
      result: {},
    });
    expect(JSON.stringify(app.queryClient.getQueryData(queryKeys.tasks.detail(TASK_ID)))).not.toContain(
      'pw-two',
    );

    // A later read of the task carries no secrets; the page keeps showing those it was given.
    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'completed',
        progress: 100,
        message: null,
      });
    });
    await waitFor(() => {
      expect(api.calls('GET /api/tasks/{task_id}/status')).toHaveLength(3);
    });
    expect(screen.getByTestId('generated-secrets')).toHaveTextContent('pw-two');
  });
});
