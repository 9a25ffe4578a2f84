/**
 * Conformance: drives the simulator over HTTPS (trusting its CA file) through the real client, over every
 * endpoint of the schema subset, and checks that every request the client sent validates against the schema;
 * once for each Proxmox VE release kept (9.2 and 8.3), with that release's schema.
 */
import {
  PVE_ENDPOINT_KEYS,
  PVE_RELEASES,
  PveApiError,
  encodePveParams,
  matchEndpoint,
  validateParams,
  type PveClient,
  type PveRequestInfo,
  type RawParamValue,
} from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { TEST_CERT_DIR, eventually, raw, startTestSim, ticketClient, tokenClient } from './helpers';

interface Violation {
  request: string;
  problem: string;
}

describe.each(PVE_RELEASES)('conformance: the real client against the simulator of PVE %s', (release) => {
  let sim: RunningPveSimulator;
  let client: PveClient;
  const sent: PveRequestInfo[] = [];

  beforeAll(async () => {
    sim = await startTestSim({ protocol: 'https', certDir: TEST_CERT_DIR, timeScale: 0.01, release });
    client = tokenClient(sim, { onRequest: (r) => sent.push(r) });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  const wait = async (upid: string | null) => {
    if (upid === null) throw new Error('expected a UPID');
    const result = await client.waitForTask(upid, { timeoutMs: 20_000 });
    expect({ upid, exitstatus: result.exitstatus }).toEqual({ upid, exitstatus: 'OK' });
    return result;
  };

  it('serves cluster, node and task reads', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await expect(client.version()).resolves.toMatchObject({ release });
    await expect(client.nodeVersion('pve2')).resolves.toMatchObject({ release });
    await expect(client.clusterOptions()).resolves.toEqual({
      keyboard: 'en-us',
      'allowed-tags': ['template'],
    });
    expect(await client.listContainers('pve1')).toEqual([]);
    expect((await client.vmIndex('pve2', 9000)).map((d) => d.subdir)).toEqual(
      expect.arrayContaining(['config', 'status', 'agent', 'firewall']),
    );
    await expect(client.vmIndex('pve1', 9000)).rejects.toMatchObject({
      status: 500,
      message: "Configuration file 'nodes/pve1/qemu-server/9000.conf' does not exist",
    });
    expect((await client.nodes()).map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect((await client.nodeStatus('pve1')).pveversion).toMatch(new RegExp(`^pve-manager/${release}\\.`));
    // The default zone is UTC, whose local time is the time.
    const clock = await client.nodeTime('pve1');
    expect(clock).toEqual({ timezone: 'UTC', time: expect.any(Number) as unknown, localtime: clock.time });
    expect(await client.nodeRrdData('pve1', { timeframe: 'hour', cf: 'AVERAGE' })).toHaveLength(60);
    const types = new Set((await client.clusterResources()).map((r) => r.type));
    expect([...types].sort()).toEqual(['node', 'qemu', 'sdn', 'storage']);
    for (const type of ['vm', 'storage', 'node'] as const)
      expect((await client.clusterResources(type)).length).toBeGreaterThan(0);
    await expect(client.nextId()).resolves.toBe(103);
    expect((await client.clusterStatus()).find((e) => e.type === 'cluster')).toMatchObject({
      name: 'proxdeck-lab',
      quorate: 1,
      nodes: 3,
    });
    expect(await client.haResources()).toEqual([]);
    expect((await client.nodeNetwork('pve1', { type: 'any_bridge' })).map((i) => i.iface)).toEqual([
      'vmbr0',
      'vmbr1',
    ]);
    expect(await client.pools()).toEqual([]);
  });

  it('runs the life of a VM: clone, configure, resize, power, agent', async () => {
    await wait(
      await client.cloneVm('pve2', 9000, {
        newid: 500,
        name: 'conf-web',
        full: true,
        target: 'pve1',
        storage: 'ssd-pool',
      }),
    );
    expect((await client.listVms('pve1')).map((v) => v.vmid)).toContain(500);
    await client.updateVmConfig('pve1', 500, {
      cores: 2,
      memory: '2048',
      ipconfig0: 'ip=10.0.0.50/24,gw=10.0.0.1',
      tags: 'proxdeck',
      scsi1: 'local-lvm:4',
    });
    await wait(await client.updateVmConfigAsync('pve1', 500, { description: 'managed by proxdeck' }));
    expect(await client.vmPending('pve1', 500)).toEqual(expect.arrayContaining([{ key: 'cores', value: 2 }]));
    await wait(await client.resizeDisk('pve1', 500, { disk: 'scsi0', size: '+2G' }));
    expect((await client.vmConfig('pve1', 500)).scsi0).toMatch(/size=22G$/);
    await client.unlinkDisks('pve1', 500, 'scsi1', true);
    expect((await client.vmConfig('pve1', 500)).scsi1).toBeUndefined();

    await wait(await client.startVm('pve1', 500));
    const nics = await eventually(
      () =>
        client
          .agentNetworkInterfaces('pve1', 500)
          .catch((e: unknown) => (e instanceof PveApiError ? e.message : 'x')),
      (v) => Array.isArray(v),
    );
    expect(JSON.stringify(nics)).toContain('10.0.0.50');
    const agent = await client.agentInfo('pve1', 500);
    expect(agent.supported_commands).toEqual(
      expect.arrayContaining([
        { name: 'guest-network-get-interfaces', enabled: true, 'success-response': true },
      ]),
    );
    await expect(client.agentInfo('pve3', 102)).rejects.toMatchObject({
      status: 500,
      message: 'No QEMU guest agent configured',
    });
    const filesystems = await client.agentFsInfo('pve1', 500);
    expect(filesystems.find((fs) => fs.mountpoint === '/')).toMatchObject({
      type: 'ext4',
      'total-bytes': expect.any(Number) as unknown,
      'used-bytes': expect.any(Number) as unknown,
    });
    await expect(client.agentFileRead('pve1', 500, '/etc/hostname')).resolves.toEqual({
      content: 'conf-web\n',
    });
    expect((await client.vmStatus('pve1', 500)).qmpstatus).toBe('running');
    expect(await client.vmSnapshots('pve1', 500)).toEqual([
      expect.objectContaining({ name: 'current', running: 1 }),
    ]);
    await wait(await client.suspendVm('pve1', 500));
    expect((await client.vmStatus('pve1', 500)).qmpstatus).toBe('paused');
    await wait(await client.resumeVm('pve1', 500));
    await wait(await client.resetVm('pve1', 500));
    await wait(await client.rebootVm('pve1', 500));
    await wait(await client.shutdownVm('pve1', 500, { timeout: 30 }));
    await wait(await client.startVm('pve1', 500));
    await wait(await client.stopVm('pve1', 500));
    // A day: 1440 points of a minute on PVE 9, 70 of half an hour on PVE 8.
    expect(await client.vmRrdData('pve1', 500, { timeframe: 'day', cf: 'MAX' })).toHaveLength(
      release === '9.2' ? 1440 : 70,
    );
  });

  it('backs up, lists, annotates, restores and deletes backups', async () => {
    const result = await wait(
      await client.vzdump('pve1', {
        vmid: '500',
        storage: 'nfs-backup',
        mode: 'snapshot',
        compress: 'zstd',
        'notes-template': '{{guestname}} on {{node}}',
      }),
    );
    expect(result.logTail).toContain('INFO: Backup job finished successfully');
    const [backup] = await client.storageContent('pve1', 'nfs-backup', { content: 'backup', vmid: 500 });
    expect(backup?.notes).toBe('conf-web on pve1');
    const volid = backup!.volid;
    await expect(client.storageVolume('pve1', 'nfs-backup', volid)).resolves.toMatchObject({
      format: 'vma.zst',
    });
    await client.updateStorageVolume('pve1', 'nfs-backup', volid, { notes: 'keep', protected: false });
    await wait(
      await client.restoreVm('pve3', { vmid: 501, archive: volid, storage: 'local-lvm', unique: true }),
    );
    expect((await client.vmConfig('pve3', 501)).scsi0).toMatch(/^local-lvm:vm-501-disk-0/);
    await expect(client.deleteStorageVolume('pve1', 'nfs-backup', volid, { delay: 5 })).resolves.toBeNull();
    expect(await client.storageContent('pve1', 'nfs-backup', { content: 'backup', vmid: 500 })).toEqual([]);
  });

  it('creates, reads, changes and deletes a scheduled backup job, and lists guests it does not cover', async () => {
    await client.createBackupJob({
      id: 'backup-conf',
      schedule: 'mon..fri 22:30',
      vmid: '500',
      storage: 'nfs-backup',
      mode: 'snapshot',
      compress: 'zstd',
      'prune-backups': 'keep-daily=7,keep-weekly=4',
      'notes-template': '{{guestname}}',
    });
    expect((await client.backupJobs()).find((job) => job.id === 'backup-conf')).toMatchObject({
      enabled: 1,
      'prune-backups': { 'keep-daily': 7, 'keep-weekly': 4 },
    });
    expect((await client.notBackedUp()).map((guest) => guest.vmid)).not.toContain(500);
    await client.updateBackupJob('backup-conf', { enabled: 0, delete: 'notes-template' });
    await expect(client.backupJob('backup-conf')).resolves.toMatchObject({ enabled: 0 });
    await client.deleteBackupJob('backup-conf');
  });

  it('creates, templates and destroys a VM', async () => {
    await wait(
      await client.createVm('pve2', {
        vmid: 502,
        name: 'conf-new',
        memory: '1024',
        scsi0: 'local-lvm:4',
        net0: 'virtio,bridge=vmbr1',
        scsihw: 'virtio-scsi-single',
      }),
    );
    expect((await client.vmConfig('pve2', 502)).net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr1$/);
    await wait(await client.convertToTemplate('pve2', 502));
    expect((await client.vmConfig('pve2', 502)).scsi0).toMatch(/^local-lvm:base-502-disk-0/);
    await wait(await client.deleteVm('pve2', 502, { purge: 1, 'destroy-unreferenced-disks': 1 }));
    await expect(client.vmConfig('pve2', 502)).rejects.toMatchObject({
      status: 500,
      message: "Configuration file 'nodes/pve2/qemu-server/502.conf' does not exist",
    });
  });

  it('manages storage listings and firewall groups, rules and options', async () => {
    expect((await client.storageConfig()).map((s) => s.storage)).toEqual([
      'local',
      'local-lvm',
      'nfs-backup',
      'ssd-pool',
    ]);
    expect((await client.nodeStorage('pve2', { content: 'images' })).map((s) => s.storage)).toEqual([
      'local-lvm',
      'ssd-pool',
    ]);
    await expect(client.storageStatus('pve2', 'local-lvm')).resolves.toMatchObject({
      type: 'lvmthin',
      active: 1,
    });

    await client.createFirewallGroup('conf-db', 'databases');
    await client.createFirewallGroupRule('conf-db', {
      type: 'in',
      action: 'ACCEPT',
      proto: 'tcp',
      dport: '5432',
      source: '10.0.0.0/24',
      enable: 1,
    });
    const [rule] = await client.firewallGroupRules('conf-db');
    await expect(client.firewallGroupRule('conf-db', 0)).resolves.toMatchObject({
      pos: 0,
      dport: '5432',
      ipversion: 4,
    });
    await client.updateFirewallGroupRule('conf-db', 0, { comment: 'postgres', digest: rule!.digest });
    await client.renameFirewallGroup('conf-db', 'conf-pg');
    await client.deleteFirewallGroupRule('conf-pg', 0);
    await client.deleteFirewallGroup('conf-pg');
    expect((await client.firewallGroups()).map((g) => g.group)).not.toContain('conf-pg');

    await client.createFirewallAlias({ name: 'conf-lan', cidr: '10.9.0.0/16' });
    await expect(client.firewallAlias('CONF-LAN')).resolves.toMatchObject({ cidr: '10.9.0.0/16' });
    await client.updateFirewallAlias('conf-lan', { cidr: '10.9.0.0/24', rename: 'conf-lan2' });
    expect((await client.firewallAliases()).map((alias) => alias.name)).toContain('conf-lan2');
    await client.createFirewallIpset('conf-set', 'conformance');
    await client.addFirewallIpsetEntry('conf-set', { cidr: 'conf-lan2', comment: 'by alias' });
    await client.addFirewallIpsetEntry('conf-set', { cidr: '10.8.0.0/16' });
    await client.updateFirewallIpsetEntry('conf-set', '10.8.0.0/16', { nomatch: 1 });
    await expect(client.firewallIpsetEntry('conf-set', '10.8.0.0/16')).resolves.toMatchObject({ nomatch: 1 });
    expect((await client.firewallIpsetEntries('conf-set')).map((entry) => entry.cidr)).toEqual([
      '10.8.0.0/16',
      'conf-lan2',
    ]);
    expect((await client.firewallIpsets()).map((set) => set.name)).toContain('conf-set');
    await client.createClusterFirewallRule({
      type: 'in',
      action: 'ACCEPT',
      source: '+conf-set',
      macro: 'SSH',
      enable: 1,
    });
    const [clusterRule] = await client.clusterFirewallRules();
    await expect(client.clusterFirewallRule(0)).resolves.toMatchObject({ macro: 'SSH', source: '+conf-set' });
    await client.updateClusterFirewallRule(0, { comment: 'ssh from the set', digest: clusterRule!.digest });
    await client.deleteClusterFirewallRule(0);
    await client.updateClusterFirewallOptions({ enable: 1, policy_in: 'DROP' });
    await expect(client.clusterFirewallOptions()).resolves.toMatchObject({ enable: 1, policy_in: 'DROP' });
    await client.deleteFirewallIpsetEntry('conf-set', '10.8.0.0/16');
    await client.deleteFirewallIpset('conf-set', true);
    await client.deleteFirewallAlias('conf-lan2');

    await client.createVmFirewallRule('pve1', 500, {
      type: 'in',
      action: 'DROP',
      proto: 'tcp',
      dport: '23',
      iface: 'net0',
    });
    await expect(client.vmFirewallRule('pve1', 500, 0)).resolves.toMatchObject({ action: 'DROP' });
    await client.updateVmFirewallRule('pve1', 500, 0, { enable: 1 });
    expect((await client.vmFirewallRules('pve1', 500))[0]?.enable).toBe(1);
    await client.deleteVmFirewallRule('pve1', 500, 0);
    await client.updateVmFirewallOptions('pve1', 500, { enable: 1, policy_in: 'DROP' });
    await expect(client.vmFirewallOptions('pve1', 500)).resolves.toMatchObject({
      enable: 1,
      policy_in: 'DROP',
    });
  });

  it('lists and stops tasks, logs in with a ticket and reports permissions', async () => {
    const upid = await client.cloneVm('pve2', 9000, { newid: 503, full: true });
    expect((await client.nodeTasks('pve2', { source: 'active' })).map((t) => t.upid)).toContain(upid);
    await expect(client.stopTask(upid)).resolves.toBeNull();
    const result = await client.waitForTask(upid, { timeoutMs: 10_000 });
    expect(result.exitstatus).toBe('clone failed: received interrupt');
    expect(
      (await client.clusterTasks()).some(
        (t) => t.upid === upid && t.status === 'clone failed: received interrupt',
      ),
    ).toBe(true);
    await expect(client.taskStatus(upid)).resolves.toMatchObject({ status: 'stopped' });
    expect((await client.taskLog(upid)).lines.at(-1)?.t).toBe('TASK ERROR: clone failed: received interrupt');

    const ticket = ticketClient(sim, { caFile: sim.caFile!, onRequest: (r) => sent.push(r) });
    const answer = await ticket.createTicket('root@pam', 'test-root-password');
    expect(answer).toMatchObject({ username: 'root@pam', clustername: 'proxdeck-lab' });
    expect(answer.cap?.vms?.['VM.Allocate']).toBe(1);
    await expect(ticket.permissions({ path: '/vms' })).resolves.toMatchObject({ '/vms': { 'VM.Audit': 1 } });
    await ticket.close();
  });

  it('manages users, groups, roles, API tokens and ACLs, and the new token works within its grant', async () => {
    expect((await client.roles()).find((r) => r.roleid === 'PVEDatastoreUser')).toEqual({
      roleid: 'PVEDatastoreUser',
      privs: 'Datastore.AllocateSpace,Datastore.Audit',
      special: 1,
    });
    await client.createRole('ConfAudit', ['VM.Audit']);
    await client.updateRole('ConfAudit', ['Sys.Audit'], true);
    await expect(client.role('ConfAudit')).resolves.toEqual({ 'Sys.Audit': 1, 'VM.Audit': 1 });
    await client.createGroup('conf-ops', 'operators');
    await client.createUser({ userid: 'conf@pve', password: 'conf-password', groups: 'conf-ops' });
    expect((await client.groups()).find((g) => g.groupid === 'conf-ops')).toEqual({
      groupid: 'conf-ops',
      comment: 'operators',
      users: 'conf@pve',
    });
    const created = await client.createUserToken('conf@pve', 'ci', { comment: 'conformance' });
    expect(created).toMatchObject({ 'full-tokenid': 'conf@pve!ci', info: { privsep: 1, expire: 0 } });
    await client.updateAcl({ path: '/vms/100', roles: 'ConfAudit', groups: 'conf-ops' });
    await client.updateAcl({ path: '/vms/100', roles: 'ConfAudit', tokens: 'conf@pve!ci', propagate: 0 });
    expect((await client.acl()).filter((e) => e.path === '/vms/100')).toEqual([
      { path: '/vms/100', type: 'group', ugid: 'conf-ops', roleid: 'ConfAudit', propagate: 1 },
      { path: '/vms/100', type: 'token', ugid: 'conf@pve!ci', roleid: 'ConfAudit', propagate: 0 },
    ]);
    await expect(client.user('conf@pve')).resolves.toMatchObject({
      groups: ['conf-ops'],
      tokens: { ci: { privsep: 1, expire: 0, comment: 'conformance' } },
    });
    expect((await client.users({ full: 1 })).find((u) => u.userid === 'conf@pve')?.tokens).toEqual([
      { tokenid: 'ci', privsep: 1, expire: 0, comment: 'conformance' },
    ]);
    expect(await client.userTokens('conf@pve')).toEqual([
      { tokenid: 'ci', privsep: 1, expire: 0, comment: 'conformance' },
    ]);
    await expect(client.userToken('conf@pve', 'ci')).resolves.toEqual({
      privsep: 1,
      expire: 0,
      comment: 'conformance',
    });

    const scoped = tokenClient(sim, {
      auth: { type: 'token', tokenId: 'conf@pve!ci', secret: created.value },
      caFile: sim.caFile!,
      onRequest: (r) => sent.push(r),
    });
    expect((await scoped.clusterResources('vm')).map((r) => ('vmid' in r ? r.vmid : 0))).toEqual([100]);
    await expect(scoped.permissions({ path: '/vms/100' })).resolves.toEqual({
      '/vms/100': { 'Sys.Audit': 0, 'VM.Audit': 0 },
    });
    await scoped.close();

    await client.updateAcl({ path: '/vms/100', roles: 'ConfAudit', tokens: 'conf@pve!ci', delete: 1 });
    await client.deleteUserToken('conf@pve', 'ci');
    await client.deleteRole('ConfAudit');
    await client.deleteUser('conf@pve');
    expect((await client.users()).map((u) => u.userid)).not.toContain('conf@pve');
  });

  it('wraps every answer in the {data} envelope with the right reason phrases', async () => {
    const ok = await rawHttps('/api2/json/version');
    expect([ok.status, ok.statusText]).toEqual([200, 'OK']);
    expect(Object.keys(ok.json as object)).toEqual(['data']);
    const log = await rawHttps('/api2/json/nodes/pve1/tasks');
    expect(Object.keys(log.json as object).sort()).toEqual(['data', 'total']);
    const missing = await rawHttps('/api2/json/nodes/pve9/status');
    expect([missing.status, missing.statusText]).toEqual([
      500,
      "hostname lookup 'pve9' failed - failed to get address info for: pve9: Name or service not known",
    ]);
  });

  it('sent only requests that validate against the schema subset, covering every endpoint in it', () => {
    const violations: Violation[] = [];
    const covered = new Set<string>();
    for (const req of sent) {
      const match = matchEndpoint(req.method, req.path, release);
      if (!match) {
        violations.push({
          request: `${req.method} ${req.path}`,
          problem: 'no such endpoint in the schema subset',
        });
        continue;
      }
      covered.add(match.key);
      const wire: Record<string, RawParamValue> = {};
      for (const [k, v] of encodePveParams(req.params)) {
        const prev = wire[k];
        wire[k] = prev === undefined ? v : [...(Array.isArray(prev) ? (prev as RawParamValue[]) : [prev]), v];
      }
      const { errors } = validateParams(match.schema, { ...wire, ...match.pathParams });
      if (Object.keys(errors).length > 0)
        violations.push({ request: `${req.method} ${req.path}`, problem: JSON.stringify(errors) });
    }
    expect(violations).toEqual([]);
    expect(PVE_ENDPOINT_KEYS.filter((k) => !covered.has(k))).toEqual([]);
  });

  function rawHttps(path: string) {
    return raw(sim, 'GET', path, {});
  }
});
