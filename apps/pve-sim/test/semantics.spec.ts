/**
 * One behaviour test per item of the simulator checklist in docs/pve-semantics.md §10 (PVE 9.2 runtime behaviour).
 */
import { PveApiError, parseUpid, type PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { ROOT_PASSWORD, TOKEN, eventually, raw, startTestSim, ticketClient, tokenClient } from './helpers';

const UPID_RE = /^UPID:[a-zA-Z0-9-]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s/]+:[^:\s/]*:[^:\s/]+:$/;

describe('docs/pve-semantics.md §10', () => {
  let sim: RunningPveSimulator;
  let now = Date.now();
  let client: PveClient;
  /** A slower simulator for observing running tasks: a full 20 GiB clone takes ~300 ms, the flock wait 100 ms. */
  let slow: RunningPveSimulator;
  let slowClient: PveClient;

  beforeAll(async () => {
    slow = await startTestSim({ timeScale: 0.01 });
    slowClient = tokenClient(slow);
    sim = await startTestSim({
      now: () => now,
      roles: { VMAuditOnly: ['VM.Audit'] },
      users: [
        {
          userid: 'auditor@pve',
          password: 'auditor-pass',
          acl: [
            { path: '/storage', roles: ['PVEDatastoreUser'] },
            { path: '/vms/100', roles: ['VMAuditOnly'] },
          ],
        },
      ],
      tokens: [
        { id: 'root@pam!separated', secret: 'sep-secret', privsep: 1 },
        {
          id: 'root@pam!scoped',
          secret: 'scoped-secret',
          privsep: 1,
          acl: [{ path: '/vms/100', roles: ['VMAuditOnly'] }],
        },
      ],
    });
    client = tokenClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
    await slowClient.close();
    await slow.close();
  });

  describe('1. encoding', () => {
    it('accepts 0/1 booleans in form bodies and rejects true with the type-check message', async () => {
      const ok = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', { body: 'onboot=0' });
      expect(ok.status).toBe(200);
      const bad = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', { body: 'onboot=true' });
      expect(bad.status).toBe(400);
      expect(bad.json).toEqual({
        data: null,
        errors: { onboot: "type check ('boolean') failed - got 'true'" },
        message: 'Parameter verification failed.\n',
      });
    });

    it('accepts JSON bodies with real booleans', async () => {
      const res = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
        body: JSON.stringify({ onboot: true, description: 'json' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect((await client.vmConfig('pve2', 101)).onboot).toBe(1);
    });

    it('lets query parameters override body parameters', async () => {
      await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config?cores=4', { body: 'cores=2' });
      expect((await client.vmConfig('pve2', 101)).cores).toBe(4);
    });

    it('rejects unknown parameters with 400, the errors map and the reason phrase', async () => {
      const res = await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu?colour=blue');
      expect(res.status).toBe(400);
      expect(res.statusText).toBe('Parameter verification failed.');
      expect(res.json).toMatchObject({
        errors: {
          colour: 'property is not defined in schema and the schema does not allow additional properties',
        },
      });
    });

    it('uses the first line of the message as reason phrase and ends the body message with a newline', async () => {
      const res = await raw(sim, 'POST', '/api2/json/nodes/pve2/qemu/101/status/reboot', { body: '' });
      expect(res.status).toBe(500);
      expect(res.statusText).toBe('VM 101 not running');
      expect(res.json).toEqual({ data: null, message: 'VM 101 not running\n' });
      expect(res.contentType).toBe('application/json;charset=UTF-8');
    });

    it('answers unknown paths with 501 and a conflicting path parameter with 400', async () => {
      expect((await raw(sim, 'PATCH', '/api2/json/version')).statusText).toBe(
        "Method 'PATCH /version' not implemented",
      );
      const unknown = await raw(sim, 'GET', '/api2/json/nodes/pve1/bogus');
      expect(unknown.status).toBe(501);
      expect(unknown.statusText).toBe("Method 'GET /nodes/pve1/bogus' not implemented");
      const dup = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
        body: 'vmid=999&cores=2',
      });
      expect(dup.status).toBe(400);
      expect(dup.statusText).toBe('Parameter verification failed.');
    });
  });

  describe('2. auth', () => {
    it('answers a failed login with 401 and a JSON body', async () => {
      const res = await raw(sim, 'POST', '/api2/json/access/ticket', {
        body: 'username=root@pam&password=wrong',
        token: false,
      });
      expect(res.status).toBe(401);
      expect(res.statusText).toBe('authentication failure');
      expect(res.json).toEqual({ data: null, message: 'authentication failure\n' });
    });

    it('answers missing or invalid credentials with a bodiless 401', async () => {
      const none = await raw(sim, 'GET', '/api2/json/version', { token: false });
      expect([none.status, none.statusText, none.text]).toEqual([401, 'No ticket', '']);
      const badToken = await raw(sim, 'GET', '/api2/json/version', {
        headers: { authorization: `PVEAPIToken=${TOKEN.id}=wrong` },
      });
      expect([badToken.status, badToken.statusText, badToken.text]).toEqual([
        401,
        'Authentication failed!',
        '',
      ]);
      const badTicket = await raw(sim, 'GET', '/api2/json/version', {
        headers: { cookie: 'PVEAuthCookie=PVE:root@pam:6745F0A1::forged' },
      });
      expect([badTicket.status, badTicket.statusText, badTicket.text]).toEqual([
        401,
        'Authentication failed!',
        '',
      ]);
    });

    it('requires the CSRF token on ticket writes but not on reads, and never for tokens', async () => {
      const login = await raw(sim, 'POST', '/api2/json/access/ticket', {
        body: `username=root@pam&password=${ROOT_PASSWORD}`,
        token: false,
      });
      const { ticket, CSRFPreventionToken } = (
        login.json as { data: { ticket: string; CSRFPreventionToken: string } }
      ).data;
      expect(ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
      expect(CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:/);
      const cookie = `PVEAuthCookie=${encodeURIComponent(ticket)}`;
      expect((await raw(sim, 'GET', '/api2/json/version', { headers: { cookie } })).status).toBe(200);
      const noCsrf = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
        headers: { cookie },
        body: 'description=x',
      });
      expect([noCsrf.status, noCsrf.statusText, noCsrf.text]).toEqual([
        401,
        'Permission denied - invalid csrf token',
        '',
      ]);
      const withCsrf = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
        headers: { cookie, csrfpreventiontoken: CSRFPreventionToken },
        body: 'description=x',
      });
      expect(withCsrf.status).toBe(200);
      expect(
        (await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', { body: 'description=y' })).status,
      ).toBe(200);
    });

    it('expires tickets after 2 h + 5 min and renews them with the ticket as password', async () => {
      const login = await raw(sim, 'POST', '/api2/json/access/ticket', {
        body: `username=root@pam&password=${ROOT_PASSWORD}`,
        token: false,
      });
      const { ticket } = (login.json as { data: { ticket: string } }).data;
      const cookie = `PVEAuthCookie=${encodeURIComponent(ticket)}`;
      const start = now;
      try {
        now = start + (7200 + 290) * 1000;
        expect((await raw(sim, 'GET', '/api2/json/version', { headers: { cookie } })).status).toBe(200);
        const renewed = await raw(sim, 'POST', '/api2/json/access/ticket', {
          body: new URLSearchParams({ username: 'root@pam', password: ticket }).toString(),
          token: false,
        });
        expect(renewed.status).toBe(200);
        now = start + (7200 + 310) * 1000;
        expect((await raw(sim, 'GET', '/api2/json/version', { headers: { cookie } })).statusText).toBe(
          'Authentication failed!',
        );
      } finally {
        now = start;
      }
    });

    it('lets the client renew its ticket against the simulator before the 2 h expiry', async () => {
      const start = now;
      const logins: string[] = [];
      const ticketed = ticketClient(sim, {
        now: () => now,
        onRequest: (r) => {
          if (r.path === '/access/ticket') logins.push(String(r.params.password));
        },
      });
      try {
        await ticketed.version();
        for (let i = 0; i < 12; i++) {
          now += 20 * 60 * 1000; // four hours in all: only renewals keep the session alive
          await ticketed.updateVmConfig('pve2', 101, { description: `renewal ${i}` });
        }
        expect(logins).toHaveLength(13);
        expect(logins[0]).toBe(ROOT_PASSWORD);
        expect(logins.slice(1).every((p) => p.startsWith('PVE:root@pam:'))).toBe(true); // renewals, not re-logins
      } finally {
        now = start;
        await ticketed.close();
      }
    });

    it('rejects tickets and tokens of disabled users', async () => {
      const disabled = await startTestSim({
        users: [{ userid: 'gone@pve', password: 'gone-pass', enabled: false }],
        tokens: [{ id: 'gone@pve!t', secret: 'gone-secret', privsep: 0 }],
      });
      const login = await raw(disabled, 'POST', '/api2/json/access/ticket', {
        body: 'username=gone@pve&password=gone-pass',
        token: false,
      });
      expect(login.status).toBe(401);
      const token = await raw(disabled, 'GET', '/api2/json/version', {
        headers: { authorization: 'PVEAPIToken=gone@pve!t=gone-secret' },
      });
      expect([token.status, token.statusText]).toEqual([401, 'Authentication failed!']);
      await disabled.close();
    });

    it('refuses /access/ticket to API tokens with 403', async () => {
      const res = await raw(sim, 'POST', '/api2/json/access/ticket', {
        body: `username=root@pam&password=${ROOT_PASSWORD}`,
      });
      expect(res.status).toBe(403);
      expect(res.statusText).toBe(
        "Permission check failed (URI '/access/ticket' not available with API token, need proper ticket.)",
      );
    });

    it('gives a privilege-separated token only the intersection of user and token ACLs', async () => {
      const separated = await raw(sim, 'GET', '/api2/json/cluster/resources?type=vm', {
        headers: { authorization: 'PVEAPIToken=root@pam!separated=sep-secret' },
      });
      expect((separated.json as { data: unknown[] }).data).toEqual([]);
      const scoped = await raw(sim, 'GET', '/api2/json/cluster/resources?type=vm', {
        headers: { authorization: 'PVEAPIToken=root@pam!scoped=scoped-secret' },
      });
      expect((scoped.json as { data: { vmid: number }[] }).data.map((r) => r.vmid)).toEqual([100]);
      const denied = await raw(sim, 'POST', '/api2/json/nodes/pve1/qemu/100/status/reset', {
        headers: { authorization: 'PVEAPIToken=root@pam!scoped=scoped-secret' },
        body: '',
      });
      expect(denied.status).toBe(403);
      expect(denied.statusText).toBe('Permission check failed (/vms/100, VM.PowerMgmt)');
    });

    it('lets only root use skiplock', async () => {
      const res = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
        body: 'description=z&skiplock=1',
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errors: { skiplock: 'Only root may use this option.' } });
    });
  });

  describe('3. UPIDs', () => {
    it('have exact hex widths, the trailing colon, the source vmid for clones, and the token user', async () => {
      const upid = await client.cloneVm('pve1', 8000, { newid: 310, name: 'upid-check' });
      expect(upid).toMatch(UPID_RE);
      expect(parseUpid(upid)).toMatchObject({
        node: 'pve1',
        type: 'qmclone',
        id: '8000',
        user: 'root@pam!proxdeck',
      });
      const status = await client.taskStatus(upid);
      expect(status).toMatchObject({
        upid,
        user: 'root@pam',
        tokenid: 'proxdeck',
        type: 'qmclone',
        id: '8000',
      });
      await client.waitForTask(upid, { timeoutMs: 5000 });
    });
  });

  describe('4. tasks', () => {
    it('go from running to stopped with an exit status and a {n,t} log ending in TASK OK', async () => {
      const upid = await slowClient.cloneVm('pve1', 8000, { newid: 450, full: true });
      expect((await slowClient.taskStatus(upid)).status).toBe('running');
      const done = await eventually(
        () => slowClient.taskStatus(upid),
        (s) => s.status === 'stopped',
      );
      expect(done.exitstatus).toBe('OK');
      const log = await slowClient.taskLog(upid, { start: 0, limit: 0 });
      expect(log.total).toBe(log.lines.length);
      expect(log.lines[0]).toEqual({
        n: 1,
        t: 'create full clone of drive scsi0 (ssd-pool:base-8000-disk-0)',
      });
      expect(log.lines.at(-1)).toEqual({ n: log.total, t: 'TASK OK' });
    });

    it('end failed tasks with TASK ERROR and report unknown UPIDs as 400', async () => {
      const upid = await client.startVm('pve1', 8001); // a template cannot start
      const result = await client.waitForTask(upid, { timeoutMs: 5000 });
      expect(result.exitstatus).toBe("you can't start a vm if it's a template");
      expect(result.logTail.at(-1)).toBe("TASK ERROR: you can't start a vm if it's a template");
      const unknown = await client.taskStatus(upid.replace(':qmstart:', ':qmstop:')).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ status: 400, errors: { upid: 'no such task' } });
    });
  });

  describe('5. the two error phases of power calls', () => {
    it('start on a running VM returns a UPID whose task fails', async () => {
      const upid = await client.startVm('pve1', 100);
      const result = await client.waitForTask(upid, { timeoutMs: 5000 });
      expect(result).toMatchObject({ ok: false, exitstatus: 'VM 100 already running' });
    });

    it.each([['reboot'], ['reset'], ['suspend'], ['resume']] as const)(
      '%s on a stopped VM fails synchronously with 500',
      async (action) => {
        const call = {
          reboot: () => client.rebootVm('pve2', 101),
          reset: () => client.resetVm('pve2', 101),
          suspend: () => client.suspendVm('pve2', 101),
          resume: () => client.resumeVm('pve2', 101),
        }[action];
        await expect(call()).rejects.toMatchObject({ status: 500, message: 'VM 101 not running' });
      },
    );

    it('shutdown fails in the task when the guest outlasts timeout, unless forceStop', async () => {
      const timedOut = await client.waitForTask(await client.shutdownVm('pve3', 102, { timeout: 1 }), {
        timeoutMs: 5000,
      });
      expect(timedOut.exitstatus).toBe('VM quit/powerdown failed - got timeout');
      expect((await client.vmStatus('pve3', 102)).status).toBe('running');
      const forced = await slowClient.waitForTask(
        await slowClient.shutdownVm('pve3', 102, { timeout: 1, forceStop: 1 }),
        { timeoutMs: 5000 },
      );
      expect(forced.exitstatus).toBe('OK');
      expect((await slowClient.vmStatus('pve3', 102)).status).toBe('stopped');
    });

    it('stop and shutdown on a stopped VM end OK and change nothing', async () => {
      for (const upid of [await client.stopVm('pve2', 101), await client.shutdownVm('pve2', 101)]) {
        expect((await client.waitForTask(upid, { timeoutMs: 5000 })).exitstatus).toBe('OK');
      }
      expect((await client.vmStatus('pve2', 101)).status).toBe('stopped');
    });
  });

  describe('6. locks', () => {
    it('shows lock: clone on the target in config, status and resources while the clone runs', async () => {
      const upid = await slowClient.cloneVm('pve2', 9000, { newid: 400, name: 'locked', full: true });
      expect((await slowClient.vmConfig('pve2', 400)).lock).toBe('clone');
      expect((await slowClient.vmStatus('pve2', 400)).lock).toBe('clone');
      const row = (await slowClient.clusterResources('vm')).find((r) => 'vmid' in r && r.vmid === 400);
      expect(row).toMatchObject({ lock: 'clone' });
      await expect(slowClient.updateVmConfig('pve2', 400, { cores: 2 })).rejects.toMatchObject({
        status: 500,
        message: 'VM is locked (clone)',
      });
      await slowClient.waitForTask(upid, { timeoutMs: 10_000 });
      expect((await slowClient.vmConfig('pve2', 400)).lock).toBeUndefined();
    });

    it('only holds a flock on the source: a conflicting write times out, parallel clones proceed', async () => {
      const first = await slowClient.cloneVm('pve3', 9001, { newid: 401, full: true });
      const second = await slowClient.cloneVm('pve3', 9001, { newid: 402, full: true });
      expect((await slowClient.vmConfig('pve3', 9001)).lock).toBeUndefined();
      await expect(slowClient.updateVmConfig('pve3', 9001, { description: 'x' })).rejects.toMatchObject({
        status: 500,
        message: "can't lock file '/var/lock/qemu-server/lock-9001.conf' - got timeout",
      });
      const results = await Promise.all(
        [first, second].map((u) => slowClient.waitForTask(u, { timeoutMs: 10_000 })),
      );
      expect(results.map((r) => r.exitstatus)).toEqual(['OK', 'OK']);
    });

    it('puts lock: backup on a VM while vzdump runs', async () => {
      const upid = await slowClient.vzdump('pve1', {
        vmid: '100',
        storage: 'nfs-backup',
        mode: 'snapshot',
        compress: 'zstd',
      });
      await eventually(
        () => slowClient.vmConfig('pve1', 100),
        (c) => c.lock === 'backup',
      );
      await expect(slowClient.updateVmConfig('pve1', 100, { description: 'x' })).rejects.toMatchObject({
        message: 'VM is locked (backup)',
      });
      await slowClient.waitForTask(upid, { timeoutMs: 10_000 });
      expect((await slowClient.vmConfig('pve1', 100)).lock).toBeUndefined();
    });

    it("fails an injected vzdump failure inside the job, holding the guest's lock until then, as vzdump reports it", async () => {
      slow.setFaults({ failTasks: { 'vzdump:100': 'unable to open archive' } });
      try {
        const before = slow.state.volumes.length;
        const upid = await slowClient.vzdump('pve1', { vmid: '100', storage: 'nfs-backup' });
        await eventually(
          () => slowClient.vmConfig('pve1', 100),
          (c) => c.lock === 'backup',
        );
        expect(await slowClient.waitForTask(upid, { timeoutMs: 10_000 })).toMatchObject({
          ok: false,
          exitstatus: 'job errors',
        });
        const log = (await slowClient.taskLog(upid, { start: 0, limit: 0 })).lines.map((l) => l.t);
        expect(log.some((line) => /^INFO:\s+50% \(/.test(line))).toBe(true);
        expect(log.slice(-3)).toEqual([
          'ERROR: Backup of VM 100 failed - unable to open archive',
          'INFO: Backup job finished with errors',
          'TASK ERROR: job errors',
        ]);
        expect(slow.state.volumes).toHaveLength(before);
        expect((await slowClient.vmConfig('pve1', 100)).lock).toBeUndefined();
      } finally {
        slow.setFaults({});
      }
    });
  });

  describe('7. config', () => {
    it('has a 40-hex digest that rejects stale writes', async () => {
      const { digest } = await client.vmConfig('pve2', 101);
      expect(digest).toMatch(/^[0-9a-f]{40}$/);
      await client.updateVmConfig('pve2', 101, { description: 'changed', digest });
      await expect(
        client.updateVmConfig('pve2', 101, { description: 'again', digest }),
      ).rejects.toMatchObject({
        status: 500,
        message: 'checksum mismatch (file change by other user?)',
      });
    });

    it('allocates disks from storage:GiB, creates the cloud-init drive, and refuses a second one', async () => {
      await client.updateVmConfig('pve2', 101, {
        scsi1: 'local-lvm:16,discard=on',
        ide0: 'local-lvm:cloudinit',
      });
      const config = await client.vmConfig('pve2', 101);
      expect(config.scsi1).toBe('local-lvm:vm-101-disk-1,discard=on,size=16G');
      expect(config.ide0).toBe('local-lvm:vm-101-cloudinit,media=cdrom');
      const again = (await client
        .updateVmConfig('pve2', 101, { ide3: 'local-lvm:cloudinit' })
        .catch((e: unknown) => e)) as PveApiError;
      expect(again.status).toBe(400);
      expect(again.errors.ide3).toBe("ide3 - cloud-init drive is already attached at 'ide0'");
      const noImages = (await client
        .updateVmConfig('pve2', 101, { scsi2: 'local:8' })
        .catch((e: unknown) => e)) as PveApiError;
      expect(noImages.errors).toEqual({ storage: "storage 'local' does not support vm images" });
    });

    it('requires URL-encoded sshkeys, returns memory as a string and masks cipassword', async () => {
      const bad = (await client
        .updateVmConfig('pve2', 101, { sshkeys: 'ssh-ed25519 AAAA x@y' })
        .catch((e: unknown) => e)) as PveApiError;
      expect(bad.errors.sshkeys).toBe('invalid format - invalid urlencoded string');
      await client.updateVmConfig('pve2', 101, {
        sshkeys: encodeURIComponent('ssh-ed25519 AAAA x@y'),
        cipassword: 'hunter2',
        memory: '3072',
      });
      const config = await client.vmConfig('pve2', 101);
      expect(config.sshkeys).toBe('ssh-ed25519%20AAAA%20x%40y');
      expect(config.cipassword).toBe('**********');
      expect(config.memory).toBe('3072');
      expect(config.cores).toEqual(expect.any(Number));
    });

    it('keeps non-hotpluggable changes pending while the VM runs, and applies them on reboot', async () => {
      await client.updateVmConfig('pve1', 100, { cores: 6 });
      expect((await client.vmConfig('pve1', 100, { current: 1 })).cores).toBe(2);
      expect((await client.vmConfig('pve1', 100)).cores).toBe(6);
      expect((await client.vmPending('pve1', 100)).find((p) => p.key === 'cores')).toEqual({
        key: 'cores',
        value: 2,
        pending: 6,
      });
      await client.waitForTask(await client.rebootVm('pve1', 100), { timeoutMs: 5000 });
      expect((await client.vmConfig('pve1', 100, { current: 1 })).cores).toBe(6);
      expect((await client.vmPending('pve1', 100)).some((p) => p.pending !== undefined)).toBe(false);
    });

    it('is synchronous for PUT (null) and asynchronous for POST (a UPID)', async () => {
      await expect(client.updateVmConfig('pve2', 101, { description: 'sync' })).resolves.toBeNull();
      const upid = await client.updateVmConfigAsync('pve2', 101, { description: 'async' });
      expect(upid).toMatch(/:qmconfig:101:/);
      await client.waitForTask(upid ?? '', { timeoutMs: 5000 });
      expect((await client.vmConfig('pve2', 101)).description).toBe('async');
    });
  });

  describe('cloud-init and the guest agent', () => {
    it('reports the IP the guest booted with; a changed ipconfig0 shows after the next boot', async () => {
      const upid = await client.cloneVm('pve2', 9000, { newid: 470, name: 'ci-check', full: true });
      await client.waitForTask(upid, { timeoutMs: 5000 });
      await client.updateVmConfig('pve2', 470, { ipconfig0: 'ip=10.1.2.3/24,gw=10.1.2.1' });
      await client.waitForTask(await client.startVm('pve2', 470), { timeoutMs: 5000 });
      const ips = async () => {
        const nics = await client.agentNetworkInterfaces('pve2', 470).catch(() => []);
        return nics.flatMap((n) => n['ip-addresses'] ?? []).map((a) => a['ip-address']);
      };
      await eventually(ips, (list) => list.includes('10.1.2.3'));
      await client.updateVmConfig('pve2', 470, { ipconfig0: 'ip=10.1.2.4/24,gw=10.1.2.1' });
      expect(await ips()).toContain('10.1.2.3');
      await client.waitForTask(await client.rebootVm('pve2', 470), { timeoutMs: 5000 });
      await eventually(ips, (list) => list.includes('10.1.2.4'));
    });

    it('answers agent calls like PVE while the agent is missing or not up', async () => {
      await expect(client.agentNetworkInterfaces('pve3', 102)).rejects.toMatchObject({
        status: 500,
        message: 'No QEMU guest agent configured',
      });
      await expect(client.agentNetworkInterfaces('pve2', 101)).rejects.toMatchObject({ status: 500 });
    });
  });

  describe('8. firewall', () => {
    it('inserts new rules at position 0, disabled unless enable=1', async () => {
      await client.createFirewallGroup('web-8', 'web');
      await client.createFirewallGroupRule('web-8', {
        type: 'in',
        action: 'ACCEPT',
        proto: 'tcp',
        dport: '80',
      });
      await client.createFirewallGroupRule('web-8', {
        type: 'in',
        action: 'ACCEPT',
        proto: 'tcp',
        dport: '443',
        enable: 1,
      });
      const rules = await client.firewallGroupRules('web-8');
      expect(rules.map((r) => [r.pos, r.dport, r.enable])).toEqual([
        [0, '443', 1],
        [1, '80', 0],
      ]);
    });

    it('moves a rule before the rule at moveto, or last when beyond the end', async () => {
      await client.createFirewallGroupRule('web-8', {
        type: 'in',
        action: 'DROP',
        proto: 'tcp',
        dport: '23',
      }); // [23, 443, 80]
      await client.moveFirewallGroupRule('web-8', 0, 2); // 23 goes before 80 → [443, 23, 80]
      expect((await client.firewallGroupRules('web-8')).map((r) => r.dport)).toEqual(['443', '23', '80']);
      await client.moveFirewallGroupRule('web-8', 0, 99);
      expect((await client.firewallGroupRules('web-8')).map((r) => r.dport)).toEqual(['23', '80', '443']);
      await expect(client.firewallGroupRule('web-8', 7)).rejects.toMatchObject({
        status: 500,
        message: 'no rule at position 7',
      });
    });

    it('renames with rename=<old> and group=<new>, and limits names to 18 characters', async () => {
      await client.renameFirewallGroup('web-8', 'web-renamed');
      expect((await client.firewallGroups()).map((g) => g.group)).toContain('web-renamed');
      const long = (await client.createFirewallGroup('a'.repeat(19)).catch((e: unknown) => e)) as PveApiError;
      expect(long.status).toBe(400);
      expect(long.errors.group).toBe('value may only be 18 characters long');
      await expect(client.createFirewallGroup('a'.repeat(18))).resolves.toBeNull();
    });

    it('refuses to delete a group that still has rules', async () => {
      await expect(client.deleteFirewallGroup('web-renamed')).rejects.toMatchObject({
        status: 500,
        message: "Security group 'web-renamed' is not empty",
      });
    });

    it('does not check that a group referenced by a VM rule exists', async () => {
      await client.createVmFirewallRule('pve2', 101, {
        type: 'group',
        action: 'does-not-exist',
        enable: 1,
        iface: 'net0',
      });
      expect((await client.vmFirewallRules('pve2', 101))[0]).toMatchObject({
        type: 'group',
        action: 'does-not-exist',
        enable: 1,
      });
    });
  });

  describe('9. backups', () => {
    it('names volumes vzdump-qemu-<id>-<date>.vma.zst with subtype qemu and ctime from the name', async () => {
      const result = await client.waitForTask(
        await client.vzdump('pve2', { vmid: '101', storage: 'nfs-backup', compress: 'zstd' }),
        { timeoutMs: 5000 },
      );
      expect(result.logTail.at(-2)).toBe('INFO: Backup job finished successfully');
      expect(
        result.logTail.some((l) => /^INFO: 100% \((\d+\.\d) GiB of \1 GiB\) in \d+s, read: /.test(l)),
      ).toBe(true);
      const [backup] = await client.storageContent('pve2', 'nfs-backup', { content: 'backup', vmid: 101 });
      const m =
        /^nfs-backup:backup\/vzdump-qemu-101-(\d{4})_(\d\d)_(\d\d)-(\d\d)_(\d\d)_(\d\d)\.vma\.zst$/.exec(
          backup!.volid,
        );
      expect(m).not.toBeNull();
      expect(backup).toMatchObject({ content: 'backup', format: 'vma.zst', subtype: 'qemu', vmid: 101 });
      const [, y, mo, d, h, mi, s] = m!.map(Number);
      expect(backup!.ctime).toBe(Date.UTC(y!, mo! - 1, d, h, mi, s) / 1000);
    });

    it('hides backups from callers without VM.Backup on the owner', async () => {
      const auditor = new PveClientForUser(sim, 'auditor@pve', 'auditor-pass');
      expect(await auditor.client.storageContent('pve2', 'nfs-backup', { content: 'backup' })).toEqual([]);
      await auditor.client.close();
      expect(
        (await client.storageContent('pve2', 'nfs-backup', { content: 'backup' })).length,
      ).toBeGreaterThan(0);
    });

    it('returns "OK" instead of a UPID when no requested guest runs on the node', async () => {
      await expect(client.vzdump('pve3', { vmid: '101', storage: 'nfs-backup' })).resolves.toBe('OK');
    });
  });

  describe('10. numbers', () => {
    it('returns nextid as a number, or as the given string with vmid=', async () => {
      const plain = await raw(sim, 'GET', '/api2/json/cluster/nextid');
      expect(typeof (plain.json as { data: unknown }).data).toBe('number');
      const given = await raw(sim, 'GET', '/api2/json/cluster/nextid?vmid=555');
      expect((given.json as { data: unknown }).data).toBe('555');
      const taken = await raw(sim, 'GET', '/api2/json/cluster/nextid?vmid=100');
      expect(taken.json).toMatchObject({ errors: { vmid: 'VM 100 already exists' } });
    });

    it('uses 0/1 integers for flags, strings for loadavg, and floats in RRD data', async () => {
      const storages = await client.nodeStorage('pve1');
      expect(
        storages.every((s) => [0, 1].includes(s.active) && [0, 1].includes(s.shared) && s.enabled === 1),
      ).toBe(true);
      const template = (await client.clusterResources('vm')).find((r) => 'vmid' in r && r.vmid === 9000);
      expect(template).toMatchObject({ template: 1 });
      const status = await client.nodeStatus('pve1');
      expect(status.loadavg).toHaveLength(3);
      expect(status.loadavg.every((l) => typeof l === 'string')).toBe(true);
      const rrd = await client.vmRrdData('pve3', 102, { timeframe: 'hour' });
      expect(rrd).toHaveLength(60);
      const last = rrd.at(-1)!;
      expect(last.cpu! > 0 && last.cpu! < 1).toBe(true);
      expect(Number.isInteger(last.netin)).toBe(false);
    });
  });
});

/** A ticket-authenticated client for another user of the simulator. */
class PveClientForUser {
  readonly client: PveClient;
  constructor(sim: RunningPveSimulator, username: string, password: string) {
    this.client = ticketClient(sim, { auth: { type: 'ticket', username, password } });
  }
}
