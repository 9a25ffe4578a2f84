/** Fault injection (options and the admin route) and persistence of the state across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PveApiError } from '@proxdeck/pve-client';
import { TOKEN, raw, startTestSim, tokenClient } from './helpers';

describe('fault injection', () => {
  it('adds latency to every answer', async () => {
    const sim = await startTestSim({ faults: { latencyMs: 60 } });
    const started = Date.now();
    await raw(sim, 'GET', '/api2/json/version');
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    await sim.close();
  });

  it('answers a share of requests with 5xx, deterministically for a seed', async () => {
    const sim = await startTestSim({ faults: { serverErrorRate: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await raw(sim, 'GET', '/api2/json/version')).status);
    const failures = statuses.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    await sim.close();
    const again = await startTestSim({ faults: { serverErrorRate: 0.5 } });
    const second: number[] = [];
    for (let i = 0; i < 40; i++) second.push((await raw(again, 'GET', '/api2/json/version')).status);
    expect(second).toEqual(statuses);
    await again.close();
  });

  it('fails tasks of a given type, times out locks, and answers 596 for an unreachable node', async () => {
    const sim = await startTestSim({
      faults: {
        failTasks: { qmclone: 'clone failed: storage migration failed: injected' },
        lockTimeoutVmids: [100],
        unreachableNodes: ['pve3'],
      },
    });
    const client = tokenClient(sim);
    const clone = await client.waitForTask(await client.cloneVm('pve1', 8000, { newid: 300, full: true }), {
      timeoutMs: 5000,
    });
    expect(clone).toMatchObject({
      ok: false,
      exitstatus: 'clone failed: storage migration failed: injected',
    });
    const stop = await client.waitForTask(await client.stopVm('pve1', 100), { timeoutMs: 5000 });
    expect(stop.exitstatus).toBe("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    const unreachable = (await client.nodeStatus('pve3').catch((e: unknown) => e)) as PveApiError;
    expect([unreachable.status, unreachable.message]).toEqual([596, 'Connection refused']);
    expect((await client.nodes()).find((n) => n.node === 'pve3')?.status).toBe('offline');
    // A fault for one guest: only that guest's tasks of the type fail.
    sim.setFaults({ failTasks: { 'qmstop:100': 'stop failed: injected for 100' } });
    const failed = await client.waitForTask(await client.stopVm('pve1', 100), { timeoutMs: 5000 });
    expect(failed).toMatchObject({ ok: false, exitstatus: 'stop failed: injected for 100' });
    const stopped = await client.waitForTask(await client.stopVm('pve3', 102), { timeoutMs: 5000 });
    expect(stopped.ok).toBe(true);
    await client.close();
    await sim.close();
  });

  it('changes faults at run time through the admin route, for root only', async () => {
    const sim = await startTestSim({
      tokens: [{ id: 'ops@pve!ro', secret: 'ro', privsep: 0 }],
      users: [{ userid: 'ops@pve', password: 'ops-pass' }],
    });
    const put = await raw(sim, 'PUT', '/_sim/faults', {
      body: JSON.stringify({ unreachableNodes: ['pve2'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(put.status).toBe(200);
    expect(sim.faults).toEqual({ unreachableNodes: ['pve2'] });
    expect((await raw(sim, 'GET', '/api2/json/nodes/pve2/status')).status).toBe(596);
    expect((await raw(sim, 'GET', '/_sim/faults', { token: false })).status).toBe(401);
    expect(
      (await raw(sim, 'GET', '/_sim/faults', { headers: { authorization: 'PVEAPIToken=ops@pve!ro=ro' } }))
        .status,
    ).toBe(403);
    sim.setFaults({});
    expect((await raw(sim, 'GET', '/api2/json/nodes/pve2/status')).status).toBe(200);
    await sim.close();
  });
});

describe('task concurrency', () => {
  it('counts the tasks running per node and the most that ran at once', async () => {
    const sim = await startTestSim({ timeScale: 0.2 }); // a create takes 200 ms: the three overlap
    const client = tokenClient(sim);
    const upids = await Promise.all(
      [7001, 7002, 7003].map((vmid) => client.createVm('pve1', { vmid, name: `c-${vmid}` })),
    );
    expect(sim.taskConcurrency().running.pve1).toBe(3);
    await Promise.all(upids.map((upid) => client.waitForTask(upid, { timeoutMs: 5000 })));
    expect(sim.taskConcurrency()).toMatchObject({ running: { pve1: 0 }, peak: { pve1: 3 } });
    sim.resetTaskPeaks();
    expect(sim.taskConcurrency().peak).toEqual({ pve1: 0 });
    const overHttp = await raw(sim, 'GET', '/_sim/tasks/concurrency');
    expect(overHttp.status).toBe(200);
    await client.close();
    await sim.close();
  });
});

describe('persistence', () => {
  it('keeps VMs, firewall groups, tasks and user.cfg (users, tokens, ACLs) across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-sim-state-'));
    const stateFile = join(dir, 'state.json');
    const first = await startTestSim({ stateFile });
    const client = tokenClient(first);
    const upid = await client.cloneVm('pve2', 9000, { newid: 321, name: 'persisted', full: true });
    await client.waitForTask(upid, { timeoutMs: 5000 });
    await client.createFirewallGroup('kept');
    await client.createUser({ userid: 'kept@pve' });
    const token = await client.createUserToken('kept@pve', 'ci');
    await client.updateAcl({
      path: '/vms/321',
      roles: 'PVEAuditor',
      users: 'kept@pve',
      tokens: 'kept@pve!ci',
    });
    await client.close();
    await first.close();

    const second = await startTestSim({ stateFile });
    const again = tokenClient(second);
    expect((await again.vmConfig('pve2', 321)).name).toBe('persisted');
    expect((await again.firewallGroups()).map((g) => g.group)).toContain('kept');
    expect((await again.taskStatus(upid)).exitstatus).toBe('OK');
    const kept = tokenClient(second, {
      auth: { type: 'token', tokenId: 'kept@pve!ci', secret: token.value },
    });
    expect((await kept.clusterResources('vm')).map((r) => ('vmid' in r ? r.vmid : 0))).toEqual([321]);
    await kept.close();
    await again.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shuts down promptly during long tasks, which end with received interrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-sim-state-'));
    const stateFile = join(dir, 'state.json');
    const first = await startTestSim({ stateFile, timeScale: 1 });
    const client = tokenClient(first);
    const upid = await client.cloneVm('pve2', 9000, { newid: 322, full: true }); // ~30 s at time scale 1
    await client.close();
    const started = Date.now();
    await first.close();
    expect(Date.now() - started).toBeLessThan(5000);
    const second = await startTestSim({ stateFile });
    const again = tokenClient(second);
    expect((await again.taskStatus(upid)).exitstatus).toBe('clone failed: received interrupt');
    await expect(again.vmConfig('pve2', 322)).rejects.toMatchObject({ status: 500 });
    await again.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses invalid options', async () => {
    await expect(startTestSim({ rootPassword: '' })).rejects.toThrow(/rootPassword is required/);
    await expect(startTestSim({ timeScale: 0 })).rejects.toThrow(/timeScale/);
    await expect(startTestSim({ apiToken: { id: 'proxdeck', secret: 'x' } })).rejects.toThrow(
      /user@realm!tokenid/,
    );
  });

  it('needs no credentials in the simulator code: they come from the options', async () => {
    const sim = await startTestSim({
      rootPassword: 'another-password',
      apiToken: { id: 'root@pam!other', secret: 'other-secret' },
    });
    expect((await raw(sim, 'GET', '/api2/json/version')).status).toBe(401); // the helper's default token is unknown here
    expect(
      (
        await raw(sim, 'GET', '/api2/json/version', {
          headers: { authorization: 'PVEAPIToken=root@pam!other=other-secret' },
        })
      ).status,
    ).toBe(200);
    expect(TOKEN.id).not.toBe('root@pam!other');
    await sim.close();
  });
});

describe('determinism', () => {
  it('gives the same MACs and UUIDs for the same seed, and different ones for another seed', async () => {
    const run = async (seed: number) => {
      const sim = await startTestSim({ seed });
      const client = tokenClient(sim);
      await client.waitForTask(await client.cloneVm('pve2', 9000, { newid: 800, full: true }), {
        timeoutMs: 5000,
      });
      const config = await client.vmConfig('pve2', 800);
      await client.close();
      await sim.close();
      return {
        net0: config.net0,
        smbios1: config.smbios1,
        template: sim.state.vms.find((v) => v.vmid === 9000)?.config.net0,
      };
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a).toEqual(b);
    expect(c.net0).not.toBe(a.net0);
    expect(c.smbios1).not.toBe(a.smbios1);
  });
});
