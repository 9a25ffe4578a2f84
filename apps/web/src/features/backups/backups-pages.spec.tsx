import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accepted, fail, mockApi, ok } from '../../../test/api-mock';
import { adminUser, makeServer, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Backup, BackupJob } from './backups.queries';

function backup(overrides: Partial<Backup> = {}): Backup {
  return {
    volid: 'nfs-backup:backup/vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
    node: 'pve1',
    storage: 'nfs-backup',
    vmid: 101,
    server_name: 'web-01',
    size_bytes: 2 * 1024 ** 3,
    format: 'vma.zst',
    ctime: '2026-11-30T02:00:00.000Z',
    notes: 'nightly',
    protected: false,
    shared: true,
    ...overrides,
  };
}

const DB_BACKUP = backup({
  volid: 'local:backup/vzdump-qemu-102-2026_11_29-03_00_00.vma.zst',
  node: 'pve2',
  storage: 'local',
  vmid: 102,
  server_name: 'db-01',
  notes: null,
  shared: false,
});

const DATASTORES = {
  datastores: [
    {
      id: 'nfs-backup',
      type: 'nfs',
      node: 'pve1',
      shared: true,
      active: true,
      content: ['backup'],
      total_bytes: 1,
      used_bytes: 0,
      avail_bytes: 1,
      is_default_hdd: false,
      is_default_ssd: false,
    },
    {
      id: 'local-lvm',
      type: 'lvmthin',
      node: 'pve1',
      shared: false,
      active: true,
      content: ['images'],
      total_bytes: 1,
      used_bytes: 0,
      avail_bytes: 1,
      is_default_hdd: true,
      is_default_ssd: false,
    },
  ],
  default_hdd: 'local-lvm',
  default_ssd: null,
  defaults_chosen: { hdd: false, ssd: false },
  refreshed_at: null,
};

function job(overrides: Partial<BackupJob> = {}): BackupJob {
  return {
    id: 'backup-1a2b3c4d-5e6f',
    schedule: 'mon..fri 22:30',
    enabled: true,
    selection: { vmids: [101] },
    vmids: [101],
    storage: 'nfs-backup',
    mode: 'snapshot',
    compress: 'zstd',
    prune: { keep_daily: 7, keep_weekly: 4 },
    notes_template: null,
    next_run: '2026-12-01T22:30:00.000Z',
    next_runs: ['2026-12-01T22:30:00.000Z'],
    time_zone: 'UTC',
    last_run: {
      at: '2026-11-30T22:30:00.000Z',
      status: 'failed',
      task_id: null,
      upid: 'UPID:pve1:00001234:00005678:6745F0A1:vzdump:101:root@pam:',
      error: 'job errors',
    },
    selection_stale: false,
    ...overrides,
  };
}

function backupsApi(backups: Backup[] = [backup(), DB_BACKUP], user = adminUser) {
  let current = backups;
  const api = mockApi({
    'GET /api/session/check': () => ok(makeSession(user, 'csrf-backups')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/datastores': () => ok(DATASTORES),
    'GET /api/backups/nodes': () =>
      ok({
        backups: current,
        node_stats: {},
        total_count: current.length,
        total_bytes: current.reduce((sum, b) => sum + b.size_bytes, 0),
      }),
  });
  return {
    api,
    setBackups: (next: Backup[]) => {
      current = next;
    },
  };
}

function rowOf(server: string): HTMLElement {
  const row = within(screen.getByRole('table', { name: 'Backups' }))
    .getByRole('rowheader', { name: server })
    .closest('tr');
  if (!row) throw new Error(`no row for ${server}`);
  return row;
}

describe('the backups page', () => {
  it('lists every backup and filters by node, storage and server', async () => {
    backupsApi();
    renderApp('/backups');
    expect(await screen.findByRole('heading', { name: 'Backups', level: 1 })).toBeInTheDocument();
    await screen.findByRole('table', { name: 'Backups' });
    expect(within(rowOf('web-01')).getByText('2.0 GiB')).toBeInTheDocument();
    expect(within(rowOf('db-01')).getByText('local')).toBeInTheDocument();
    expect(screen.getByText('2 backups · 4.0 GiB')).toBeInTheDocument();

    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: 'Server' }), 'db');
    expect(screen.queryByRole('rowheader', { name: 'web-01' })).not.toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'db-01' })).toBeInTheDocument();
    await user.clear(screen.getByRole('textbox', { name: 'Server' }));
    await user.click(screen.getByRole('textbox', { name: 'Storage' }));
    await user.click(await screen.findByRole('option', { name: 'nfs-backup' }));
    expect(screen.getByRole('rowheader', { name: 'web-01' })).toBeInTheDocument();
    expect(screen.queryByRole('rowheader', { name: 'db-01' })).not.toBeInTheDocument();
  });

  it('asks before deleting, naming the archive, its server and size, then deletes it', async () => {
    const { api, setBackups } = backupsApi();
    api.on('POST /api/backups/delete', ({ body }) => {
      setBackups([DB_BACKUP]);
      return ok({ volid: body?.volid ?? '', node: body?.node ?? '' });
    });
    renderApp('/backups');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Backups' });
    await user.click(
      within(rowOf('web-01')).getByRole('button', {
        name: 'Delete vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
      }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Delete this backup?' });
    expect(dialog).toHaveTextContent(
      'The archive vzdump-qemu-101-2026_11_30-02_00_00.vma.zst of web-01 (2.0 GiB',
    );
    expect(dialog).toHaveTextContent('is deleted from nfs-backup');
    await user.click(within(dialog).getByRole('button', { name: 'Delete the archive' }));
    await waitFor(() => {
      expect(screen.queryByRole('rowheader', { name: 'web-01' })).not.toBeInTheDocument();
    });
    expect(api.calls('POST /api/backups/delete').map((call) => call.body)).toEqual([
      { node: 'pve1', volid: backup().volid },
    ]);
  });

  it('restores over the original VM only after the caller confirms what is destroyed', async () => {
    const { api } = backupsApi();
    api.on('POST /api/backups/restore', () =>
      accepted({ task_id: 't-restore', status: 'queued' }, { message: 'queued' }),
    );
    renderApp('/backups');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Backups' });
    await user.click(
      within(rowOf('web-01')).getByRole('button', {
        name: 'Restore vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Restore vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
    });
    await user.click(within(dialog).getByText('The original VM (101)'));
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'This replaces all disks and the configuration of VM 101 (web-01)',
    );
    const submit = within(dialog).getByRole('button', { name: 'Restore' });
    expect(submit).toBeDisabled();
    await user.click(
      within(dialog).getByRole('checkbox', {
        name: 'I understand that the current disks of VM 101 are destroyed',
      }),
    );
    await user.click(submit);
    await waitFor(() => {
      expect(api.calls('POST /api/backups/restore')).toHaveLength(1);
    });
    expect(api.calls('POST /api/backups/restore')[0]?.body).toEqual({
      node: 'pve1',
      volid: backup().volid,
      overwrite: true,
    });
  });

  it('restores as a new server, checking the name as the server does and showing its refusal', async () => {
    const { api } = backupsApi();
    api.on('POST /api/backups/restore', ({ body }) =>
      body?.name === 'web-01'
        ? fail(409, 'CONFLICT', 'A server named web-01 exists', { field: 'name' })
        : accepted({ task_id: 't-restore', status: 'queued' }, { message: 'queued' }),
    );
    renderApp('/backups');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Backups' });
    await user.click(
      within(rowOf('web-01')).getByRole('button', {
        name: 'Restore vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Restore vzdump-qemu-101-2026_11_30-02_00_00.vma.zst',
    });
    const name = within(dialog).getByRole('textbox', { name: /^New server name/ });
    await user.type(name, 'Bad_Name');
    expect(
      within(dialog).getByText('Use lowercase letters, digits and hyphens (at most 63)'),
    ).toBeInTheDocument();
    await user.clear(name);
    await user.type(name, 'web-01');
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }));
    expect(await screen.findByText('A server named web-01 exists')).toBeInTheDocument();
    await user.clear(name);
    await user.type(name, 'web-01-restored');
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(api.calls('POST /api/backups/restore').map((call) => call.body)).toEqual([
      { node: 'pve1', volid: backup().volid, name: 'web-01' },
      { node: 'pve1', volid: backup().volid, name: 'web-01-restored' },
    ]);
  });

  it('offers no backup actions to viewers', async () => {
    backupsApi([backup()], viewerUser);
    renderApp('/backups');
    await screen.findByRole('table', { name: 'Backups' });
    expect(screen.queryByRole('button', { name: /^Delete / })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Back up now' })).not.toBeInTheDocument();
  });
});

describe('the backup schedules page', () => {
  function jobsApi(jobs: BackupJob[] = [job()]) {
    return mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-jobs')),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/datastores': () => ok(DATASTORES),
      'GET /api/backups/jobs': () => ok(jobs),
      'GET /api/backups/not-covered': () =>
        ok([
          { server_name: 'db-01', vmid: 102, vm_name: 'db-01' },
          { server_name: null, vmid: 900, vm_name: 'legacy' },
        ]),
      'GET /api/servers': () =>
        ok([makeServer({ name: 'web-01', vmid: 101 }), makeServer({ name: 'db-01', vmid: 102 })], {
          pagination: { page: 1, per_page: 200, total: 2, pages: 1 },
        }),
      'GET /api/backups/jobs/preview': ({ query }) => {
        const schedule = query.get('schedule') ?? '';
        if (schedule === 'every day')
          return fail(400, 'VALIDATION_FAILED', 'Invalid input: schedule', {
            fields: { schedule: "invalid calendar event 'every day' - invalid weekday 'every'" },
          });
        // Saturday 02:00 in Seoul: Friday 17:00 UTC.
        return ok({
          schedule,
          next_runs: ['2026-12-04T17:00:00.000Z', '2026-12-11T17:00:00.000Z'],
          time_zone: 'Asia/Seoul',
        });
      },
    });
  }

  it('shows each job with what it backs up, its retention, next run and last result, and the uncovered servers', async () => {
    jobsApi();
    renderApp('/backups/schedules');
    expect(await screen.findByRole('heading', { name: 'Backup schedules', level: 1 })).toBeInTheDocument();
    const row = (await screen.findByRole('rowheader', { name: /mon\.\.fri 22:30/ })).closest('tr');
    if (!row) throw new Error('no job row');
    expect(row).toHaveTextContent('VMs 101');
    expect(row).toHaveTextContent('7 daily, 4 weekly');
    expect(within(row).getByText('failed')).toBeInTheDocument();
    expect(within(row).getByText('job errors')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'db-01' })).toBeInTheDocument();
    expect(screen.getByText('legacy VM 900')).toBeInTheDocument();
  });

  it('previews the next runs as typed, shows why Proxmox would refuse a schedule, and creates the job', async () => {
    const api = jobsApi([]);
    api.on('POST /api/backups/jobs', ({ reply }) =>
      reply(201, { success: true, data: job({ schedule: 'sat 02:00' }) }),
    );
    renderApp('/backups/schedules');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New schedule' }));
    const dialog = await screen.findByRole('dialog', { name: 'New backup schedule' });
    const schedule = within(dialog).getByRole('textbox', { name: /^Schedule/ });
    await user.clear(schedule);
    await user.type(schedule, 'every day');
    expect(
      await within(dialog).findByText("invalid calendar event 'every day' - invalid weekday 'every'"),
    ).toBeInTheDocument();
    await user.clear(schedule);
    await user.type(schedule, 'sat 02:00');
    expect(
      await within(dialog).findByText("Next runs, in the nodes' time zone (Asia/Seoul)"),
    ).toBeInTheDocument();
    // Shown on the nodes' wall clock, as the schedule says it.
    expect(
      within(dialog)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([expect.stringMatching(/Sat.*Dec 5.*02:00/), expect.stringMatching(/Sat.*Dec 12.*02:00/)]);

    await user.click(within(dialog).getByRole('textbox', { name: 'Servers' }));
    await user.click(await screen.findByRole('option', { name: 'web-01 (101)' }));
    await user.click(within(dialog).getByRole('textbox', { name: /^Storage/ }));
    await user.click(await screen.findByRole('option', { name: 'nfs-backup' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => {
      expect(api.calls('POST /api/backups/jobs')).toHaveLength(1);
    });
    expect(api.calls('POST /api/backups/jobs')[0]?.body).toEqual({
      schedule: 'sat 02:00',
      enabled: true,
      selection: { vmids: [101] },
      storage: 'nfs-backup',
      mode: 'snapshot',
      compress: 'zstd',
      prune: { keep_daily: 7, keep_weekly: 4 },
    });
  });

  it('asks before deleting a job, naming its schedule and what it backs up', async () => {
    const api = jobsApi();
    api.on('DELETE /api/backups/jobs/{id}', ({ params }) => ok({ id: params.id }));
    renderApp('/backups/schedules');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete backup-1a2b3c4d-5e6f' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete backup job backup-1a2b3c4d-5e6f?' });
    expect(dialog).toHaveTextContent('The schedule "mon..fri 22:30" (VMs 101) stops running');
    await user.click(within(dialog).getByRole('button', { name: 'Delete the job' }));
    await waitFor(() => {
      expect(api.calls('DELETE /api/backups/jobs/{id}').map((call) => call.params)).toEqual([
        { id: 'backup-1a2b3c4d-5e6f' },
      ]);
    });
  });
});
