/** The server page's operations: power, the configuration editor, disks and logs, on the typed API mock. */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Schemas } from '../../lib/api';
import { accepted, fail, mockApi, ok, type Handlers } from '../../../test/api-mock';
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

const TASK_ID = '0b4e3a55-7a43-4d8b-9d51-2b9f4a0f5c11';

function makeConfig(overrides: Partial<Schemas['ServerConfigDto']> = {}): Schemas['ServerConfigDto'] {
  return {
    name: 'web-01',
    vmid: 101,
    node: 'pve1',
    cpu: { cores: 2, sockets: 1, type: 'x86-64-v2-AES' },
    memory: { size_mb: 2048, balloon_mb: 2048 },
    disks: [
      { device: 'scsi0', datastore: 'local-lvm', size_gb: 20, volume: 'local-lvm:vm-101-disk-0', boot: true },
      { device: 'scsi1', datastore: 'ssd-pool', size_gb: 100, volume: 'ssd-pool:vm-101-disk-1', boot: false },
    ],
    network: [],
    cloud_init: { user: 'rocky', nameserver: null, searchdomain: null },
    description: 'Front end',
    tags: ['proxdeck', 'web'],
    protection: false,
    lock: null,
    digest: 'digest-1',
    pending: {},
    restart_required: false,
    ...overrides,
  };
}

const PENDING = makeConfig({
  digest: 'digest-2',
  pending: { memory: { current: '2048', pending: '4096', delete: false } },
  restart_required: true,
});

function serverApi(extra: Handlers = {}, user = adminUser) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/servers/{name}': ({ params }) => ok(makeServer({ name: params.name })),
    'GET /api/server/config/{name}': () => ok(makeConfig()),
    'GET /api/tasks/{task_id}/status': ({ params }) =>
      ok(
        makeTask({
          task_id: params.task_id,
          type: 'servers.action',
          status: 'completed',
          items: [
            {
              name: 'web-01',
              status: 'completed',
              progress: 100,
              step: null,
              error: null,
              pve_upids: [],
              steps_done: [],
            },
          ],
          result: { action: 'reboot', outcomes: { 'web-01': 'rebooted' } },
        }),
      ),
    ...extra,
  });
}

describe('power buttons', () => {
  it('show the state each leads to, and a shutdown sends its timeout and force-off', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'POST /api/servers/{name}/stop': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'Shutdown queued' }),
    });
    renderApp('/servers/web-01');
    const power = await screen.findByRole('group', { name: 'Power' });
    expect(within(power).getByRole('button', { name: 'Start → Running' })).toBeDisabled();
    expect(within(power).getByRole('button', { name: 'Reboot → Running' })).toBeEnabled();
    expect(within(power).getByRole('button', { name: 'Delete → Removed' })).toBeEnabled();

    await user.click(within(power).getByRole('button', { name: 'Shut down → Stopped' }));
    const dialog = await screen.findByRole('dialog', { name: 'Shut down web-01' });
    const timeout = within(dialog).getByRole('textbox', { name: 'Time to shut down (seconds)' });
    await user.clear(timeout);
    await user.type(timeout, '30');
    await user.click(within(dialog).getByRole('checkbox', { name: /Force power-off/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Shut down' }));

    expect(await screen.findByTestId('action-outcome')).toHaveTextContent('rebooted');
    expect(api.calls('POST /api/servers/{name}/stop').map((call) => call.body)).toEqual([
      { timeout_s: 30, force: true },
    ]);
    expect(screen.getByRole('link', { name: 'Open the task' })).toHaveAttribute('href', `/tasks/${TASK_ID}`);
  });

  it('follow the task live, and show why an action failed', async () => {
    installFakeEventSource();
    const user = userEvent.setup();
    const running = makeTask({ task_id: TASK_ID, type: 'servers.action', status: 'running', progress: 10 });
    const api = serverApi({
      'POST /api/servers/{name}/reboot': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
      'GET /api/tasks/{task_id}/status': () => ok(running),
    });
    renderApp('/servers/web-01');
    const power = await screen.findByRole('group', { name: 'Power' });
    act(() => {
      latestEventSource().open();
    });
    await user.click(within(power).getByRole('button', { name: 'Reboot → Running' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reboot web-01' });
    await user.click(within(dialog).getByRole('checkbox', { name: /Force reset/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Reboot' }));
    const progress = await screen.findByTestId('action-progress');
    expect(await within(progress).findByText('10 %')).toBeInTheDocument();
    expect(within(power).getByRole('button', { name: 'Reboot → Running' })).toBeDisabled();

    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'running',
        progress: 60,
        message: 'Resetting',
      });
    });
    expect(await within(progress).findByText('60 %')).toBeInTheDocument();
    expect(within(progress).getByText('Resetting')).toBeInTheDocument();

    const item = { name: 'web-01', progress: 100, step: null, pve_upids: [], steps_done: [] };
    api.on('GET /api/tasks/{task_id}/status', () =>
      ok({
        ...running,
        status: 'failed',
        progress: 100,
        items: [{ ...item, status: 'failed', error: 'VM 101 is locked (backup)' }],
      }),
    );
    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'failed',
        progress: 100,
        message: null,
      });
    });
    expect(await within(progress).findByTestId('action-error')).toHaveTextContent(
      'VM 101 is locked (backup)',
    );
    expect(within(power).getByRole('button', { name: 'Reboot → Running' })).toBeEnabled();
    expect(api.calls('POST /api/servers/{name}/reboot').map((call) => call.body)).toEqual([{ force: true }]);
  });

  it('ask before deleting, naming the server and what is destroyed', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'POST /api/servers/{name}/delete': () =>
        fail(409, 'CONFLICT', 'web-01 is protected in Proxmox (protection=1)', { reason: 'protected' }),
    });
    renderApp('/servers/web-01');
    const power = await screen.findByRole('group', { name: 'Power' });
    await user.click(within(power).getByRole('button', { name: 'Delete → Removed' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete web-01?' });
    expect(dialog).toHaveTextContent('destroys the VM and its disks, releases its addresses');
    expect(within(dialog).getByTestId('delete-names')).toHaveTextContent('Destroyed: web-01');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.calls('POST /api/servers/{name}/delete')).toHaveLength(0);

    await user.click(within(power).getByRole('button', { name: 'Delete → Removed' }));
    await user.click(await screen.findByRole('button', { name: 'Delete web-01' }));
    expect(await screen.findByTestId('action-refused')).toHaveTextContent('protected in Proxmox');
  });

  it('go back to the list once the server is deleted', async () => {
    const user = userEvent.setup();
    serverApi({
      'POST /api/servers/{name}/delete': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
      'GET /api/servers': () => ok([], { pagination: { page: 1, per_page: 25, total: 0, pages: 0 } }),
      'GET /api/all_server_status': () => ok(makeClusterStatus([])),
    });
    const { location } = renderApp('/servers/web-01');
    const power = await screen.findByRole('group', { name: 'Power' });
    await user.click(within(power).getByRole('button', { name: 'Delete → Removed' }));
    await user.click(await screen.findByRole('button', { name: 'Delete web-01' }));
    await waitFor(() => {
      expect(location()).toBe('/servers');
    });
    expect(await screen.findByText('web-01 was deleted.')).toBeInTheDocument();
  });

  it('are not offered without manage_servers, and the configuration cannot be edited', async () => {
    serverApi({}, viewerUser);
    renderApp('/servers/web-01?tab=config');
    expect(await screen.findByRole('textbox', { name: 'Memory (MB)' })).toBeDisabled();
    expect(screen.queryByRole('group', { name: 'Power' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument();
  });
});

describe('the configuration editor', () => {
  it('sends only what changed with the digest, and marks what waits for a restart', async () => {
    const user = userEvent.setup();
    const api = serverApi({ 'PUT /api/server/config/{name}': () => ok(PENDING) });
    renderApp('/servers/web-01?tab=config');
    const memory = await screen.findByRole('textbox', { name: 'Memory (MB)' });
    expect(memory).toHaveValue('2048');
    expect(screen.queryByTestId('pending-changes')).not.toBeInTheDocument();

    await user.clear(memory);
    await user.type(memory, '4096');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    const pending = await screen.findByTestId('pending-changes');
    expect(pending).toHaveTextContent('memory: After the restart: 4096 (now 2048)');
    expect(api.calls('PUT /api/server/config/{name}').map((call) => call.body)).toEqual([
      { digest: 'digest-1', memory: { size_mb: 4096 } },
    ]);
    // The field shows the value it will have, marked as waiting.
    const field = screen.getByRole('textbox', { name: 'Memory (MB)' });
    expect(field).toHaveValue('4096');
    expect(field).toHaveAccessibleDescription('After the restart: 4096 (now 2048)');
  });

  it('restarts to apply: a guest reboot', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'GET /api/server/config/{name}': () => ok(PENDING),
      'POST /api/servers/{name}/reboot': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
    });
    renderApp('/servers/web-01?tab=config');
    const pending = await screen.findByTestId('pending-changes');
    api.on('GET /api/server/config/{name}', () =>
      ok(makeConfig({ digest: 'digest-3', memory: { size_mb: 4096, balloon_mb: 4096 } })),
    );
    await user.click(within(pending).getByRole('button', { name: 'Restart to apply' }));
    expect(await screen.findByTestId('action-outcome')).toHaveTextContent('rebooted');
    expect(api.calls('POST /api/servers/{name}/reboot').map((call) => call.body)).toEqual([{ force: false }]);
    // The end of the reboot reads the configuration again: applied, nothing pending.
    await waitFor(() => {
      expect(screen.queryByTestId('pending-changes')).not.toBeInTheDocument();
    });
    expect(screen.getByRole('textbox', { name: 'Memory (MB)' })).toHaveValue('4096');
  });

  it('explains a stale digest and reloads', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'PUT /api/server/config/{name}': () =>
        fail(409, 'CONFLICT', "Someone changed web-01's configuration since it was read", {
          server: 'web-01',
          reason: 'stale_digest',
        }),
    });
    renderApp('/servers/web-01?tab=config');
    const notes = await screen.findByRole('textbox', { name: 'Notes' });
    await user.type(notes, ' v2');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    const stale = await screen.findByTestId('stale-digest');
    expect(stale).toHaveTextContent('Someone changed this server since you opened it: reload');

    api.on('GET /api/server/config/{name}', () =>
      ok(makeConfig({ digest: 'digest-9', description: 'Changed' })),
    );
    await user.click(within(stale).getByRole('button', { name: 'Reload' }));
    expect(await screen.findByDisplayValue('Changed')).toBeInTheDocument();
    expect(screen.queryByTestId('stale-digest')).not.toBeInTheDocument();
  });

  it('shows the API’s refusals on their fields', async () => {
    const user = userEvent.setup();
    serverApi({
      'PUT /api/server/config/{name}': () =>
        fail(400, 'VALIDATION_FAILED', 'Invalid input', {
          fields: {
            'cpu.type': 'must be a CPU type Proxmox knows',
            'memory.balloon_mb': 'must be 0..2048 MB (at most the memory)',
          },
        }),
    });
    renderApp('/servers/web-01?tab=config');
    const type = await screen.findByRole('textbox', { name: 'CPU type' });
    await user.clear(type);
    await user.type(type, 'pentium');
    const balloon = screen.getByRole('textbox', { name: /Minimum with ballooning/ });
    await user.clear(balloon);
    await user.type(balloon, '9999');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('must be a CPU type Proxmox knows')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'CPU type' })).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('textbox', { name: /Minimum with ballooning/ })).toHaveAccessibleDescription(
      /must be 0\.\.2048 MB/,
    );
  });

  it('keeps the proxdeck tag', async () => {
    const user = userEvent.setup();
    const api = serverApi({ 'PUT /api/server/config/{name}': () => ok(makeConfig({ digest: 'd2' })) });
    renderApp('/servers/web-01?tab=config');
    const tags = await screen.findByRole('textbox', { name: 'Tags' });
    await user.click(tags);
    // Backspace twice takes the last tags off; proxdeck comes back.
    await user.keyboard('{Backspace}{Backspace}');
    await user.type(tags, 'db{Enter}');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(api.calls('PUT /api/server/config/{name}')).toHaveLength(1);
    });
    expect(api.calls('PUT /api/server/config/{name}')[0]?.body).toEqual({
      digest: 'digest-1',
      tags: ['proxdeck', 'db'],
    });
  });
});

describe('disks', () => {
  it('mark the boot disk, which cannot be removed, and add one on a datastore holding images', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'GET /api/datastores': () =>
        ok({
          datastores: [
            {
              id: 'ssd-pool',
              type: 'lvmthin',
              node: 'pve1',
              shared: false,
              active: true,
              content: ['images'],
              total_bytes: 1,
              used_bytes: 0,
              avail_bytes: 1,
              is_default_hdd: false,
              is_default_ssd: true,
            },
            {
              id: 'iso',
              type: 'dir',
              node: 'pve1',
              shared: false,
              active: true,
              content: ['iso'],
              total_bytes: 1,
              used_bytes: 0,
              avail_bytes: 1,
              is_default_hdd: false,
              is_default_ssd: false,
            },
          ],
          default_hdd: null,
          default_ssd: 'ssd-pool',
          defaults_chosen: { hdd: false, ssd: true },
          refreshed_at: null,
        }),
      'POST /api/server/disk/{name}': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
    });
    renderApp('/servers/web-01?tab=disks');
    const boot = await screen.findByTestId('disk-scsi0');
    expect(within(boot).getByText('Boot disk')).toBeInTheDocument();
    expect(within(boot).queryByRole('button', { name: 'Remove scsi0' })).not.toBeInTheDocument();
    expect(
      within(screen.getByTestId('disk-scsi1')).getByRole('button', { name: 'Remove scsi1' }),
    ).toBeEnabled();

    await user.click(screen.getByRole('button', { name: 'Add a disk' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a disk to web-01' });
    const size = within(dialog).getByRole('textbox', { name: 'Size (GB)' });
    await user.clear(size);
    await user.type(size, '50');
    await user.click(within(dialog).getByText('virtio'));
    const datastore = within(dialog).getByRole('combobox', { name: 'Datastore' });
    await waitFor(() => {
      expect(within(datastore).getByRole('option', { name: 'ssd-pool' })).toBeInTheDocument();
    });
    expect(within(datastore).queryByRole('option', { name: 'iso' })).not.toBeInTheDocument();
    await user.selectOptions(datastore, 'ssd-pool');
    await user.click(within(dialog).getByRole('button', { name: 'Add the disk' }));
    expect(await screen.findByTestId('action-progress')).toHaveTextContent('Add a 50 GB disk to web-01');
    expect(api.calls('POST /api/server/disk/{name}').map((call) => call.body)).toEqual([
      { size_gb: 50, interface: 'virtio', datastore: 'ssd-pool' },
    ]);
  });

  it('ask before removing one, naming it and that its data is destroyed', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'DELETE /api/server/disk/{name}/{device}': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
    });
    renderApp('/servers/web-01?tab=disks');
    await user.click(await screen.findByRole('button', { name: 'Remove scsi1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove scsi1 from web-01?' });
    expect(dialog).toHaveTextContent(
      'The disk scsi1 (100 GB on ssd-pool) is detached and its volume ssd-pool:vm-101-disk-1 destroyed: the data on it is lost for good.',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Remove scsi1 and destroy its data' }));
    await waitFor(() => {
      expect(api.calls('DELETE /api/server/disk/{name}/{device}').map((call) => call.params)).toEqual([
        { name: 'web-01', device: 'scsi1' },
      ]);
    });
  });

  it('grow only: a smaller size is refused before it is sent', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'PUT /api/server/disk/{name}/{device}': () =>
        accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'q' }),
    });
    renderApp('/servers/web-01?tab=disks');
    await user.click(await screen.findByRole('button', { name: 'Grow scsi0' }));
    const dialog = await screen.findByRole('dialog', { name: 'Grow scsi0 of web-01' });
    const size = within(dialog).getByRole('textbox', { name: 'New size (GB)' });
    await user.clear(size);
    await user.type(size, '10');
    expect(within(dialog).getByText('must be larger than 20 GB')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Grow the disk' })).toBeDisabled();
    await user.clear(size);
    await user.type(size, '40');
    await user.click(within(dialog).getByRole('button', { name: 'Grow the disk' }));
    await waitFor(() => {
      expect(api.calls('PUT /api/server/disk/{name}/{device}').map((call) => call.body)).toEqual([
        { size_gb: 40 },
      ]);
    });
  });
});

describe('logs', () => {
  it('show Proxmox tasks with their logs, events with their tasks, and the tasks that touched the server', async () => {
    const user = userEvent.setup();
    serverApi({
      'GET /api/server/logs/{name}': ({ query }) =>
        query.get('type') === 'events'
          ? ok({
              type: 'events',
              events: [
                {
                  at: '2026-11-26T10:00:00.000Z',
                  actor: 'admin',
                  action: 'stop',
                  outcome: 'completed',
                  detail: 'stopped',
                  task_id: TASK_ID,
                },
              ],
            })
          : ok({
              type: 'tasks',
              tasks: [
                {
                  upid: 'UPID:pve1:1:qmstart',
                  type: 'qmstart',
                  user: 'root@pam',
                  node: 'pve1',
                  started_at: '2026-11-26T09:00:00.000Z',
                  ended_at: '2026-11-26T09:00:02.000Z',
                  status: 'OK',
                  log: ['starting VM 101', 'TASK OK'],
                },
              ],
            }),
    });
    renderApp('/servers/web-01?tab=logs');
    const logs = await screen.findByTestId('server-logs');
    await user.click(
      await within(logs).findByRole('button', { name: 'Show the log of UPID:pve1:1:qmstart' }),
    );
    const lines = await within(logs).findByText(/starting VM 101/);
    await waitFor(() => {
      expect(lines).toBeVisible();
    });

    const touched = screen.getByTestId('touched-tasks');
    expect(await within(touched).findByRole('link', { name: 'stop' })).toHaveAttribute(
      'href',
      `/tasks/${TASK_ID}`,
    );

    await user.click(within(logs).getByText('Proxdeck events'));
    const table = await within(logs).findByRole('table', { name: 'Proxdeck events' });
    expect(within(table).getByText('admin')).toBeInTheDocument();
    expect(within(table).getByRole('link', { name: TASK_ID.slice(0, 8) })).toHaveAttribute(
      'href',
      `/tasks/${TASK_ID}`,
    );
  });

  it('say clearly when the guest agent is not running, and learn the allowed paths from a 400', async () => {
    const user = userEvent.setup();
    const api = serverApi({
      'GET /api/server/logs/{name}': ({ query }) => {
        if (query.get('type') !== 'guest') return ok({ type: 'events', events: [] });
        if (query.get('path') === '/var/log/messages')
          return fail(400, 'VALIDATION_FAILED', 'Invalid input', {
            fields: { path: 'must be one of GUEST_LOG_PATHS: /var/log/syslog, /var/log/app.log' },
          });
        return fail(409, 'CONFLICT', 'The guest agent of web-01 does not answer (Proxmox: not running)', {
          reason: 'guest_agent_unavailable',
        });
      },
    });
    renderApp('/servers/web-01?tab=logs');
    const logs = await screen.findByTestId('server-logs');
    await user.click(within(logs).getByText('Guest log'));
    const error = await within(logs).findByTestId('log-error');
    expect(error).toHaveTextContent('The guest agent does not answer');
    expect(api.calls('GET /api/server/logs/{name}').at(-1)?.query.get('path')).toBeNull();

    await user.selectOptions(within(logs).getByRole('combobox', { name: 'File' }), '/var/log/messages');
    expect(await within(logs).findByText(/This file may not be read/)).toBeInTheDocument();
    expect(within(logs).getByRole('option', { name: '/var/log/app.log' })).toBeInTheDocument();
  });
});
