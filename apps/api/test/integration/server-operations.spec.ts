import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { waitFor } from '@proxdeck/testing';
import { simulatorVm, startSimulatorFleet } from '../support/simulator-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';
import type { Caller, TestApp } from '../support/test-app';

interface TaskBody {
  status: string;
  items: { name: string; status: string; error: string | null }[];
  result: { outcomes?: Record<string, string>; outcome?: string } | null;
}

interface ConfigBody {
  cpu: { cores: number; sockets: number; type: string };
  memory: { size_mb: number; balloon_mb: number };
  disks: { device: string; datastore: string; size_gb: number; boot: boolean }[];
  tags: string[];
  description: string;
  digest: string;
  pending: Record<string, { current: string | null; pending: string | null }>;
  restart_required: boolean;
}

/**
 * A server's life after its creation (docs/api.md §3.2) against a simulator of our own: power actions from
 * every state with Proxmox's own outcome, deletion, bulk actions, configuration with digests and pending
 * changes, disks, and the three kinds of logs.
 */
describe('servers: power, deletion, bulk, configuration, disks, logs', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  const tag = randomBytes(2).toString('hex');
  const name = (index: number) => `ops-${tag}-${String(index).padStart(2, '0')}`;
  /** VMIDs of the range freed by deletions so far: a new server gets the lowest. */
  const freedVmids: number[] = [];

  beforeAll(async () => {
    ({ simulator, t, admin } = await startSimulatorFleet({
      baseName: `ops-${tag}`,
      count: 28,
      vmidRange: '31000-31999',
      env: { SERVER_CREATE_CONCURRENCY: '12' },
    }));
  }, 200_000);
  afterAll(async () => {
    await t.close();
    await simulator.close();
  });

  const finished = (taskId: string, timeoutMs?: number) => taskFinished<TaskBody>(admin, taskId, timeoutMs);
  const accepted = acceptedTaskId;
  async function act(server: string, action: string, body: Record<string, unknown> = {}) {
    const task = await finished(
      accepted(await admin.request('POST', `/api/servers/${server}/${action}`, { body })),
    );
    return { task, outcome: task.result?.outcomes?.[server], error: task.items[0]?.error ?? null };
  }
  const vmOf = (server: string) => simulatorVm(simulator, server);
  const status = async (server: string) =>
    (await admin.request('GET', `/api/servers/${server}`)).json<{ data: { status: string } }>().data.status;
  const config = async (server: string) =>
    (await admin.request('GET', `/api/server/config/${server}`)).json<{ data: ConfigBody }>().data;

  it('starts, stops and reboots from running and stopped, idempotent in effect, with the server following', async () => {
    const server = name(1);
    expect(await act(server, 'start')).toMatchObject({
      outcome: 'already running',
      task: { status: 'completed' },
    });
    expect(await act(server, 'stop')).toMatchObject({ outcome: 'shut down', task: { status: 'completed' } });
    expect(vmOf(server).running).toBe(false);
    expect(await status(server)).toBe('stopped');
    expect(await act(server, 'stop')).toMatchObject({ outcome: 'already stopped' });

    const reboot = await act(server, 'reboot');
    expect(reboot.task.status).toBe('failed');
    expect(reboot.error).toMatch(/is stopped: start it instead/);

    expect(await act(server, 'start')).toMatchObject({ outcome: 'started', task: { status: 'completed' } });
    expect(vmOf(server).running).toBe(true);
    expect(await status(server)).toBe('running');
    expect(await act(server, 'reboot')).toMatchObject({ outcome: 'rebooted' });
    expect(await act(server, 'reboot', { force: true })).toMatchObject({
      outcome: expect.stringMatching(/^reset/) as unknown,
    });
  });

  it('handles a paused, a locked and a missing server with Proxmox’s reasons', async () => {
    const paused = name(2);
    vmOf(paused).paused = true;
    const refused = await act(paused, 'stop');
    expect(refused.task.status).toBe('failed');
    expect(refused.error).toMatch(/is paused and cannot shut down/);
    expect(await act(paused, 'start')).toMatchObject({ outcome: 'resumed (it was paused)' });
    expect(vmOf(paused).paused).toBe(false);

    const locked = name(3);
    vmOf(locked).config.lock = 'backup';
    const stop = await act(locked, 'stop');
    expect(stop.task.status).toBe('failed');
    expect(stop.error).toMatch(/VM is locked \(backup\)/);
    expect(vmOf(locked).running).toBe(true);
    delete vmOf(locked).config.lock;

    const missing = name(4);
    const vmid = vmOf(missing).vmid;
    // Destroyed behind Proxdeck's back, disks and all.
    simulator.state.vms.splice(simulator.state.vms.indexOf(vmOf(missing)), 1);
    simulator.state.volumes = simulator.state.volumes.filter((volume) => volume.vmid !== vmid);
    const start = await act(missing, 'start');
    expect(start.task.status).toBe('failed');
    expect(start.error).toMatch(new RegExp(`VMID ${String(vmid)}\\) is gone from Proxmox`));
    // Deleting it only removes it from the inventory.
    expect(await act(missing, 'delete')).toMatchObject({
      outcome: expect.stringMatching(/^removed from the inventory/) as unknown,
      task: { status: 'completed' },
    });
    expect((await admin.request('GET', `/api/servers/${missing}`)).status).toBe(404);
    freedVmids.push(vmid);
  });

  it('fails a shutdown that times out without force, leaving the VM running; with force powers it off', async () => {
    const server = name(5);
    const timedOut = await act(server, 'stop', { timeout_s: 1 });
    expect(timedOut.task.status).toBe('failed');
    expect(timedOut.error).toMatch(/did not shut down within 1 s and keeps running/);
    expect(vmOf(server).running).toBe(true);
    expect(await status(server)).toBe('running');

    const forced = await act(server, 'stop', { timeout_s: 1, force: true });
    expect(forced).toMatchObject({
      outcome: 'powered off: the guest did not shut down within 1 s',
      task: { status: 'completed' },
    });
    expect(vmOf(server).running).toBe(false);
  });

  it('deletes a server: VM and disks destroyed, addresses and VMID released and given to a new server', async () => {
    const server = name(6);
    const before = (await admin.request('GET', `/api/servers/${server}`)).json<{
      data: { vmid: number; ip_addresses: string[] };
    }>().data;
    const volumes = () => simulator.state.volumes.filter((volume) => volume.vmid === before.vmid);
    expect(volumes().length).toBeGreaterThan(0);
    expect(await act(server, 'delete')).toMatchObject({ task: { status: 'completed' } });
    expect(simulator.state.vms.some((vm) => vm.vmid === before.vmid)).toBe(false);
    expect(volumes()).toEqual([]);
    freedVmids.push(before.vmid);
    expect((await admin.request('GET', `/api/servers/${server}`)).status).toBe(404);
    const notifications = (await admin.request('GET', '/api/notifications/latest')).json<{
      data: { type: string; server: string | null }[];
    }>().data;
    expect(notifications[0]).toMatchObject({ type: 'servers.deleted', server });

    // The same address, and the lowest VMID freed, go to the next server.
    const reuse = await finished(
      accepted(
        await admin.request('POST', '/api/servers', {
          body: {
            name: `reuse-${tag}`,
            cpu: 1,
            memory: 1024,
            vm_password: 'a-long-password',
            network_devices: [{ bridge: 'vmbr0', ip_address: before.ip_addresses[0] }],
          },
        }),
      ),
    );
    expect(reuse).toMatchObject({ status: 'completed', items: [{ error: null }] });
    const again = (await admin.request('GET', `/api/servers/reuse-${tag}`)).json<{
      data: { vmid: number; ip_addresses: string[] };
    }>().data;
    expect(again).toMatchObject({ vmid: Math.min(...freedVmids), ip_addresses: before.ip_addresses });
  });

  it('refuses to delete a protected VM (409) before doing anything; in bulk that server fails alone', async () => {
    const server = name(7);
    vmOf(server).config.protection = '1';
    const refused = await admin.request('POST', `/api/servers/${server}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'CONFLICT',
      error: expect.stringMatching(/protected/) as unknown,
    });
    expect(await status(server)).toBe('running');

    const bulk = await admin.request('POST', '/api/servers/bulk_action', {
      body: { action: 'delete', server_names: [server, name(8)] },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.json<{ data: unknown }>().data).toMatchObject({
      succeeded: [name(8)],
      failed: [{ name: server, error: expect.stringMatching(/protected in Proxmox/) as unknown }],
    });
    expect(vmOf(server).running).toBe(true);
    delete vmOf(server).config.protection;
  });

  it('leaves a server as its VM is, with the reason, when Proxmox fails its deletion', async () => {
    const server = name(15);
    simulator.setFaults({
      failTasks: { [`qmdestroy:${String(vmOf(server).vmid)}`]: 'storage busy: injected' },
    });
    try {
      const deletion = await act(server, 'delete');
      expect(deletion.task.status).toBe('failed');
      expect(deletion.error).toMatch(/storage busy: injected/);
    } finally {
      simulator.setFaults({});
    }
    const row = (await admin.request('GET', `/api/servers/${server}`)).json<{
      data: { status: string; error: string | null };
    }>().data;
    expect(row).toMatchObject({
      status: 'stopped',
      error: expect.stringMatching(/^Deletion failed: .*storage busy/) as unknown,
    });
    expect(await act(server, 'start')).toMatchObject({ outcome: 'started' });
  });

  it('stops 20 servers in bulk with 3 injected failures: partial, the 3 named with Proxmox’s text', async () => {
    const names = Array.from({ length: 20 }, (_, index) => name(index + 9));
    const failing = names.slice(0, 3);
    simulator.setFaults({
      failTasks: Object.fromEntries(
        failing.map((server) => [
          `qmshutdown:${String(vmOf(server).vmid)}`,
          `injected failure for ${server}`,
        ]),
      ),
    });
    try {
      const response = await admin.request('POST', '/api/servers/bulk_action', {
        body: { action: 'stop', server_names: names },
      });
      expect(response.status).toBe(200);
      const result = response.json<{
        data: { task_id: string; succeeded: string[]; failed: { name: string; error: string }[] };
      }>().data;
      expect(result.failed.map((failure) => failure.name).sort()).toEqual([...failing].sort());
      for (const failure of result.failed)
        expect(failure.error).toContain(`injected failure for ${failure.name}`);
      expect(result.succeeded.sort()).toEqual(names.slice(3).sort());
      expect((await finished(result.task_id)).status).toBe('partial');
      for (const server of failing) expect(vmOf(server).running).toBe(true);
    } finally {
      simulator.setFaults({});
    }
    // The async route always answers with the task.
    const again = await admin.request('POST', '/api/servers/bulk_action/async', {
      body: { action: 'start', server_names: names },
    });
    expect((await finished(accepted(again))).status).toBe('completed');

    const unknown = await admin.request('POST', '/api/servers/bulk_action', {
      body: { action: 'stop', server_names: [name(9), `nope-${tag}`] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      details: { fields: { server_names: expect.stringContaining(`nope-${tag}`) as unknown } },
    });
  }, 90_000);

  it('changes memory of a running server as pending, refuses a stale digest, and applies it at the reboot', async () => {
    const server = name(10);
    const before = await config(server);
    expect(before).toMatchObject({ memory: { size_mb: 1024 }, restart_required: false, pending: {} });
    expect(before.disks.find((disk) => disk.boot)?.device).toBe('scsi0');

    const changed = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { memory: { size_mb: 2048 }, description: 'web tier', digest: before.digest },
    });
    expect(changed.status).toBe(200);
    const pending = changed.json<{ data: ConfigBody }>().data;
    expect(pending).toMatchObject({
      memory: { size_mb: 1024 },
      description: 'web tier', // notes apply at once
      restart_required: true,
      pending: { memory: { current: '1024', pending: '2048' } },
    });

    const stale = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { cpu: { cores: 2 }, digest: before.digest },
    });
    expect(stale.status).toBe(409);
    expect(stale.json<{ error: string }>().error).toMatch(/changed .* since it was read: reload/);

    expect(await act(server, 'reboot')).toMatchObject({ task: { status: 'completed' } });
    const after = await config(server);
    expect(after).toMatchObject({ memory: { size_mb: 2048 }, restart_required: false, pending: {} });
    const row = (await admin.request('GET', `/api/servers/${server}`)).json<{ data: { memory_mb: number } }>()
      .data;
    expect(row.memory_mb).toBe(2048);
  });

  it('validates a configuration change as Proxmox would, naming the field; keeps the proxdeck tag', async () => {
    const server = name(11);
    const bad = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { cpu: { type: 'pentium9000' }, memory: { size_mb: 1024, balloon_mb: 4096 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({
      details: {
        fields: {
          'cpu.type': expect.any(String) as unknown,
          'memory.balloon_mb': expect.any(String) as unknown,
        },
      },
    });
    const tooMany = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { cpu: { cores: 500 } },
    });
    expect(tooMany.status).toBe(400);
    const badTag = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { tags: ['-bad tag'] },
    });
    expect(badTag.status).toBe(400);
    expect(badTag.json()).toMatchObject({ details: { fields: { tags: expect.any(String) as unknown } } });

    const tagged = await admin.request('PUT', `/api/server/config/${server}`, {
      body: { tags: ['web', 'prod'] },
    });
    expect(tagged.status).toBe(200);
    expect(tagged.json<{ data: ConfigBody }>().data.tags.sort()).toEqual(['prod', 'proxdeck', 'web']);
    expect(vmOf(server).config.tags?.split(';').sort()).toEqual(['prod', 'proxdeck', 'web']);
  });

  it('adds disks on the next free device, grows one, removes one, never the boot disk', async () => {
    const server = name(12);
    const add = async (body: Record<string, unknown>) =>
      finished(accepted(await admin.request('POST', `/api/server/disk/${server}`, { body })));
    expect((await add({ size_gb: 10 })).result?.outcome).toMatch(/^added scsi1: 10 GB on /);
    expect((await add({ size_gb: 5, interface: 'scsi' })).result?.outcome).toMatch(/^added scsi2: 5 GB/);
    expect((await add({ size_gb: 5, interface: 'virtio' })).result?.outcome).toMatch(/^added virtio0: 5 GB/);
    expect(vmOf(server).config.scsi2).toMatch(/size=5G/);

    const noImages = await admin.request('POST', `/api/server/disk/${server}`, {
      body: { size_gb: 5, datastore: 'local' },
    });
    expect(noImages.status).toBe(400);
    expect(noImages.json()).toMatchObject({
      details: { fields: { datastore: expect.stringMatching(/images/) as unknown } },
    });

    const grow = await finished(
      accepted(await admin.request('PUT', `/api/server/disk/${server}/scsi1`, { body: { size_gb: 20 } })),
    );
    expect(grow.status).toBe('completed');
    expect(vmOf(server).config.scsi1).toMatch(/size=20G/);
    const shrink = await admin.request('PUT', `/api/server/disk/${server}/scsi1`, { body: { size_gb: 4 } });
    expect(shrink.status).toBe(400);
    expect(shrink.json()).toMatchObject({
      details: { fields: { size_gb: expect.stringMatching(/never shrink/) as unknown } },
    });

    const boot = await admin.request('DELETE', `/api/server/disk/${server}/scsi0`);
    expect(boot.status).toBe(409);
    expect(boot.json<{ error: string }>().error).toMatch(/boot disk/);
    const volid = /^([^,]+)/.exec(vmOf(server).config.scsi2 ?? '')?.[1] ?? '';
    const removed = await finished(
      accepted(await admin.request('DELETE', `/api/server/disk/${server}/scsi2`)),
    );
    expect(removed.status).toBe('completed');
    expect(vmOf(server).config.scsi2).toBeUndefined();
    expect(simulator.state.volumes.some((volume) => volume.volid === volid)).toBe(false);
    expect((await admin.request('DELETE', `/api/server/disk/${server}/scsi9`)).status).toBe(404);
    const disks = (await admin.request('GET', `/api/servers/${server}`)).json<{
      data: { disks: { device: string }[] };
    }>().data.disks;
    expect(disks.map((disk) => disk.device)).toEqual(['scsi0', 'scsi1', 'virtio0']);
  });

  it('reads the VM’s Proxmox tasks with logs, Proxdeck’s events with who did what, and a guest log', async () => {
    const server = name(13);
    await act(server, 'reboot');
    const tasks = (await admin.request('GET', `/api/server/logs/${server}?type=tasks&limit=50`)).json<{
      data: { tasks: { type: string; status: string | null; log: string[] }[] };
    }>().data.tasks;
    const types = tasks.map((task) => task.type);
    expect(types).toEqual(expect.arrayContaining(['qmstart', 'qmreboot']));
    expect(tasks.find((task) => task.type === 'qmreboot')).toMatchObject({
      status: 'OK',
      log: expect.arrayContaining(['TASK OK']) as unknown,
    });

    const events = (await admin.request('GET', `/api/server/logs/${server}?type=events`)).json<{
      data: { events: { action: string; outcome: string; actor: string | null; task_id: string | null }[] };
    }>().data.events;
    expect(events.slice(0, 2)).toMatchObject([
      { action: 'reboot', outcome: 'completed', task_id: expect.any(String) as unknown },
      { action: 'reboot', outcome: 'requested', actor: 'admin' },
    ]);

    // Right after the reboot the guest agent has not started yet: read when it answers.
    const guest = await waitFor(
      async () => {
        const read = await admin.request('GET', `/api/server/logs/${server}?type=guest&limit=1`);
        if (read.status === 409) return undefined;
        return read.json<{ data: { guest: { path: string; lines: string[] } } }>().data.guest;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the guest agent' },
    );
    expect(guest.path).toBe('/var/log/messages'); // the default template is Rocky: its syslog
    expect(guest.lines).toHaveLength(1);
  });

  it('reads a guest log only from the allow-list, with a clear error while the agent is down', async () => {
    const server = name(14);
    const syslog = await admin.request('GET', `/api/server/logs/${server}?type=guest&path=/var/log/syslog`);
    expect(syslog.json()).toMatchObject({ success: true });
    expect(syslog.json<{ data: { guest: { lines: string[] } } }>().data.guest.lines.join('\n')).toMatch(
      /sshd/,
    );
    const forbidden = await admin.request('GET', `/api/server/logs/${server}?type=guest&path=/etc/shadow`);
    expect(forbidden.status).toBe(400);
    expect(forbidden.json()).toMatchObject({ details: { fields: { path: expect.any(String) as unknown } } });

    vmOf(server).agentReadyAt = Date.now() + 3_600_000; // the agent has not started
    const down = await admin.request('GET', `/api/server/logs/${server}?type=guest&path=/var/log/syslog`);
    expect(down.status).toBe(409);
    expect(down.json<{ error: string }>().error).toMatch(/guest agent of .* does not answer/);
    vmOf(server).agentReadyAt = 0;
  });
});
