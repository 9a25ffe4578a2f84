/**
 * Proxdeck's least-privilege grant (libs/pve-client least-privilege.ts) against the simulator's privilege model:
 * the token made by its `pveum` setup runs a VM's whole life, and without any one of its privileges the
 * operation that needs it gets Proxmox's 403 (or, where Proxmox filters or checks inside a task, the visible
 * equivalent), which the client reports as the missing privilege.
 */
import {
  PVE_RELEASES,
  PveApiError,
  leastPrivilegeRoles,
  missingPrivileges,
  requiredPrivileges,
  type PveClient,
} from '@proxdeck/pve-client';
import { accessForRoles, type RunningPveSimulator } from '../src';
import { eventually, startTestSim, tokenClient } from './helpers';

const USER = { userid: 'proxdeck@pve', password: 'least-privilege-password' };
const TOKEN = { id: 'proxdeck@pve!proxdeck', secret: 'least-privilege-secret' };
const label = (r: { privilege: string; path: string }): string => `${r.privilege} on ${r.path}`;

describe.each(PVE_RELEASES)("Proxdeck's least-privilege token on PVE %s", (release) => {
  const ROLES = leastPrivilegeRoles(release);
  const REQUIRED = requiredPrivileges(release);

  /** A privilege-separated token of the same user whose grant lacks one privilege. */
  function tokenWithout(index: number): {
    id: string;
    secret: string;
    privsep: 1;
    acl: { path: string; roles: string[]; propagate: boolean }[];
  } {
    const removed = REQUIRED[index]!;
    return {
      id: `proxdeck@pve!without${index}`,
      secret: `without-${index}`,
      privsep: 1,
      acl: ROLES.map((r) => ({
        path: r.path,
        roles: [r.path === removed.path ? `${r.roleid}Without${index}` : r.roleid],
        propagate: r.propagate,
      })),
    };
  }

  let sim: RunningPveSimulator;
  let pve: PveClient;
  const reduced = new Map<number, PveClient>();

  beforeAll(async () => {
    const access = accessForRoles(ROLES, USER, TOKEN);
    const reducedRoles: Record<string, string[]> = {};
    REQUIRED.forEach((removed, index) => {
      const role = ROLES.find((r) => r.path === removed.path)!;
      reducedRoles[`${role.roleid}Without${index}`] = role.privs.filter((p) => p !== removed.privilege);
    });
    sim = await startTestSim({
      timeScale: 0.002,
      release,
      roles: { ...access.roles, ...reducedRoles },
      users: access.users ?? [],
      tokens: [...(access.tokens ?? []), ...REQUIRED.map((_r, index) => tokenWithout(index))],
    });
    pve = tokenClient(sim, { auth: { type: 'token', tokenId: TOKEN.id, secret: TOKEN.secret } });
    REQUIRED.forEach((_r, index) => {
      const token = tokenWithout(index);
      reduced.set(
        index,
        tokenClient(sim, { auth: { type: 'token', tokenId: token.id, secret: token.secret } }),
      );
    });
  });
  afterAll(async () => {
    await Promise.all([pve.close(), ...[...reduced.values()].map((c) => c.close())]);
    await sim.close();
  });

  it('lacks nothing it needs, by /access/permissions', async () => {
    await expect(missingPrivileges(pve, release)).resolves.toEqual([]);
  });

  it('runs the life of a VM: clone, configure, resize, start, agent, firewall, backup, stop, destroy', async () => {
    const done = async (upid: string): Promise<void> => {
      expect((await pve.waitForTask(upid, { timeoutMs: 10_000 })).exitstatus).toBe('OK');
    };
    const vmid = await pve.nextId();
    await done(
      await pve.cloneVm('pve2', 9000, {
        newid: vmid,
        name: 'least',
        full: true,
        target: 'pve1',
        storage: 'ssd-pool',
      }),
    );
    await pve.updateVmConfig('pve1', vmid, {
      cores: 2,
      memory: '2048',
      ciuser: 'ops',
      ipconfig0: 'ip=10.0.0.60/24,gw=10.0.0.1',
      net0: 'virtio,bridge=vmbr0',
      description: 'least privilege',
      scsihw: 'virtio-scsi-single',
    });
    await done(await pve.resizeDisk('pve1', vmid, { disk: 'scsi0', size: '+1G' }));
    await done(await pve.startVm('pve1', vmid));
    await eventually(
      () => pve.agentNetworkInterfaces('pve1', vmid).catch(() => undefined),
      (nics) => JSON.stringify(nics ?? '').includes('10.0.0.60'),
    );
    await pve.createVmFirewallRule('pve1', vmid, { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22' });
    await done(await pve.vzdump('pve1', { vmid: String(vmid), storage: 'nfs-backup', mode: 'snapshot' }));
    const [backup] = await pve.storageContent('pve1', 'nfs-backup', { content: 'backup', vmid });
    await pve.updateStorageVolume('pve1', 'nfs-backup', backup!.volid, { protected: true, notes: 'kept' });
    expect(await pve.storageVolume('pve1', 'nfs-backup', backup!.volid)).toMatchObject({ protected: 1 });
    await pve.updateStorageVolume('pve1', 'nfs-backup', backup!.volid, { protected: false });
    await pve.deleteStorageVolume('pve1', 'nfs-backup', backup!.volid);
    await done(await pve.shutdownVm('pve1', vmid, { forceStop: 1, timeout: 5 }));
    await done(await pve.deleteVm('pve1', vmid, { purge: 1 }));
    expect((await pve.clusterTasks()).filter((t) => t.id === String(vmid)).length).toBeGreaterThan(3);
  });

  /** The operation that needs each privilege, and what it meets without it. */
  const denied: Record<string, (c: PveClient) => Promise<unknown>> = {
    'VM.Audit on /vms': (c) => c.vmConfig('pve2', 101),
    'VM.Allocate on /vms': (c) => c.deleteVm('pve2', 101),
    'VM.Clone on /vms': (c) => c.cloneVm('pve2', 9000, { newid: 990 }),
    'VM.Config.Disk on /vms': (c) => c.resizeDisk('pve2', 101, { disk: 'scsi0', size: '+1G' }),
    'VM.Config.Network on /vms': (c) => c.createVmFirewallRule('pve2', 101, { type: 'in', action: 'DROP' }),
    'VM.PowerMgmt on /vms': (c) => c.startVm('pve2', 101),
    'VM.GuestAgent.Audit on /vms': (c) => c.agentNetworkInterfaces('pve1', 100),
    'VM.GuestAgent.FileRead on /vms': (c) => c.agentFileRead('pve1', 100, '/var/log/syslog'),
    'VM.Monitor on /vms': (c) => c.agentNetworkInterfaces('pve1', 100),
    'VM.Config.CPU on /vms': (c) => c.updateVmConfig('pve2', 101, { cores: 2 }),
    'VM.Config.Memory on /vms': (c) => c.updateVmConfig('pve2', 101, { memory: '1024' }),
    'VM.Config.Options on /vms': (c) => c.updateVmConfig('pve2', 101, { description: 'x' }),
    'VM.Config.Cloudinit on /vms': (c) => c.updateVmConfig('pve2', 101, { ciuser: 'ops' }),
    'VM.Config.HWType on /vms': (c) => c.updateVmConfig('pve2', 101, { scsihw: 'virtio-scsi-single' }),
    'Datastore.Allocate on /storage': (c) =>
      c.vzdump('pve1', { vmid: '100', storage: 'nfs-backup', 'prune-backups': 'keep-last=1' }),
    'Datastore.AllocateSpace on /storage': (c) =>
      c.cloneVm('pve2', 9000, { newid: 991, full: true, storage: 'ssd-pool' }),
    'SDN.Use on /sdn/zones/localnetwork': (c) =>
      c.updateVmConfig('pve2', 101, { net0: 'virtio,bridge=vmbr1' }),
    'Sys.Audit on /nodes': (c) => c.nodeStatus('pve1'),
    'Sys.Audit on /': (c) => c.clusterStatus(),
    'Sys.Modify on /': (c) => c.createFirewallGroup('least'),
  };

  it.each(REQUIRED.map((r, index) => [label(r), index] as const).filter(([name]) => name in denied))(
    'without %s, the operation that needs it gets 403 naming it',
    async (name, index) => {
      const error = await denied[name]!(reduced.get(index)!).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PveApiError);
      const missing = (error as PveApiError).missingPrivilege;
      const privilege = name.split(' on ')[0]!;
      expect({ status: (error as PveApiError).status, privileges: missing?.privileges }).toEqual({
        status: 403,
        privileges: expect.arrayContaining([privilege]) as string[],
      });
    },
  );

  it('without VM.Backup, the backup task fails naming it', async () => {
    const index = REQUIRED.findIndex((r) => r.privilege === 'VM.Backup');
    const client = reduced.get(index)!;
    const upid = await client.vzdump('pve2', { vmid: '101', storage: 'nfs-backup' });
    const result = await client.waitForTask(upid, { timeoutMs: 5000 });
    expect(result.exitstatus).not.toBe('OK');
    expect(result.logTail.join('\n')).toContain('Permission check failed (/vms/101, VM.Backup)');
  });

  it('without Datastore.Audit, storages vanish from /cluster/resources', async () => {
    const index = REQUIRED.findIndex((r) => r.privilege === 'Datastore.Audit');
    expect(await reduced.get(index)!.clusterResources('storage')).toEqual([]);
    expect((await pve.clusterResources('storage')).length).toBeGreaterThan(0);
  });

  it('every privilege of the grant has its check here', () => {
    const covered = new Set([...Object.keys(denied), 'VM.Backup on /vms', 'Datastore.Audit on /storage']);
    expect(REQUIRED.map(label).filter((name) => !covered.has(name))).toEqual([]);
  });

  it('names what a reduced token lacks', async () => {
    const index = REQUIRED.findIndex((r) => r.privilege === 'VM.PowerMgmt');
    await expect(missingPrivileges(reduced.get(index)!, release)).resolves.toEqual(['VM.PowerMgmt on /vms']);
  });
});
