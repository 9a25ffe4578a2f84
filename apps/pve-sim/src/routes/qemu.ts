/** QEMU endpoints: list, create/restore, clone, config, resize, unlink, destroy, power, agent (SEMANTICS §5–7). */
import type { PveParamValue } from '@proxdeck/pve-client';
import { flag, num, str, type RequestContext, type RouteTable, type SimServices } from '../context';
import { paramError, permissionError, pveDie } from '../http-error';
import { vmUsage } from '../metrics';
import { TaskError, type TaskHandle } from '../tasks';
import type { SimVm } from '../state/model';
import { guestFiles, newVm } from '../state/scenario';
import { applyConfigChange, checkLock, powerOff, powerOn, prepareConfigChange } from '../state/vm-operations';
import {
  DISK_KEY,
  diskKeys,
  diskVolume,
  formatSize,
  isCdrom,
  parseSize,
  propertyValue,
  renderConfig,
  renderPending,
} from '../state/vm-config';
import { nowSeconds } from './cluster';
import { restoreFromBackup } from './storage';

const GiB = 1024 ** 3;

function vmOf(ctx: RequestContext): SimVm {
  return ctx.sim.state.vm(String(ctx.params.node), Number(ctx.params.vmid));
}

function vmListItem(sim: SimServices, vm: SimVm): Record<string, unknown> {
  const u = vmUsage(vm, sim.seed, nowSeconds());
  const item: Record<string, unknown> = {
    vmid: vm.vmid,
    name: vm.config.name ?? `VM ${vm.vmid}`,
    status: vm.running ? 'running' : 'stopped',
    cpus: u.maxcpu,
    cpu: u.cpu,
    maxmem: u.maxmem,
    mem: u.mem,
    memhost: u.mem,
    maxdisk: u.maxdisk,
    disk: 0,
    uptime: u.uptime,
    netin: u.netin,
    netout: u.netout,
    diskread: u.diskread,
    diskwrite: u.diskwrite,
  };
  if (vm.running) {
    item.pid = vm.pid;
    item.qmpstatus = vm.paused ? 'paused' : 'running';
    item['running-machine'] = 'pc-i440fx-9.2+pve1';
    item['running-qemu'] = '9.2.0';
  }
  if (vm.config.lock !== undefined) item.lock = vm.config.lock;
  if (vm.config.tags !== undefined) item.tags = vm.config.tags;
  if (vm.config.template === '1') item.template = 1;
  return item;
}

function agentEnabled(vm: SimVm): boolean {
  const agent = vm.config.agent;
  if (agent === undefined) return false;
  const enabled = propertyValue(agent, 'enabled') ?? agent.split(',')[0];
  return enabled === '1';
}

/** The guest's IPv4 from its cloud-init `ipconfig0`, or a DHCP lease derived from the vmid. */
export function guestIpv4(sim: SimServices, vm: SimVm): { address: string; prefix: number } {
  const ip = propertyValue(vm.config.ipconfig0, 'ip');
  const m = ip !== undefined ? /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(ip) : null;
  if (m?.[1] && m[2]) return { address: m[1], prefix: Number(m[2]) };
  const nodeIndex = sim.state.data.nodes.findIndex((n) => n.name === vm.node);
  return { address: `10.20.${nodeIndex + 1}.${(vm.vmid % 200) + 20}`, prefix: 24 };
}

function requireAgent(vm: SimVm, command: string): void {
  if (!agentEnabled(vm)) throw pveDie('No QEMU guest agent configured');
  if (!vm.running) throw pveDie(`VM ${vm.vmid} is not running`);
  if (vm.paused) throw pveDie(`VM ${vm.vmid} qmp command '${command}' failed - got timeout`);
  if ((vm.agentReadyAt ?? 0) > Date.now()) throw pveDie('QEMU guest agent is not running');
}

/** Runs `work` in a task under the VM's exclusive flock; the config lock is checked inside, as PVE does. */
function vmTask(
  ctx: RequestContext,
  vm: SimVm,
  type: string,
  work: (task: TaskHandle) => Promise<void> | void,
  options: { allowBackupLock?: boolean } = {},
): string {
  const { sim, auth } = ctx;
  const skiplock = ctx.params.skiplock === 1;
  if (skiplock) sim.auth.requireRootParam(auth, 'skiplock');
  return sim.tasks.start(vm.node, type, String(vm.vmid), auth.upidUser, async (task) => {
    await sim.flocks.with(vm.vmid, 'exclusive', async () => {
      if (!(options.allowBackupLock && vm.config.lock === 'backup')) checkLock(vm, skiplock);
      await work(task);
    });
  });
}

function requireRunning(vm: SimVm): void {
  if (!vm.running) throw pveDie(`VM ${vm.vmid} not running`);
}

export function registerQemuRoutes(routes: RouteTable): void {
  routes.set('GET /nodes/{node}/qemu', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    return sim.state
      .vmsOn(node)
      .filter((vm) => sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Audit'))
      .map((vm) => vmListItem(sim, vm));
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/status/current', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Audit');
    const item = vmListItem(ctx.sim, vm);
    return {
      ...item,
      qmpstatus: vm.running ? (vm.paused ? 'paused' : 'running') : 'stopped',
      ha: { managed: 0 },
      ...(agentEnabled(vm) ? { agent: 1 } : {}),
      ...(vm.running
        ? {
            balloon: Number(item.maxmem),
            freemem: Number(item.maxmem) - Number(item.mem),
            nics: { [`tap${vm.vmid}i0`]: { netin: item.netin, netout: item.netout } },
            'proxmox-support': { backup: true, 'pbs-dirty-bitmap': true, 'query-bitmap-info': true },
          }
        : {}),
    };
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/snapshot', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Audit');
    return [
      {
        name: 'current',
        description: 'You are here!',
        digest: renderConfig(vm, true).digest,
        running: vm.running ? 1 : 0,
      },
    ];
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/config', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Audit');
    return renderConfig(vm, flag(ctx.params, 'current'));
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/pending', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Audit');
    return renderPending(vm);
  });

  routes.set('PUT /nodes/{node}/qemu/{vmid}/config', async (ctx) => {
    const vm = vmOf(ctx);
    const change = prepareConfigChange(ctx.sim, ctx.auth, vm, ctx.params);
    await ctx.sim.flocks.with(vm.vmid, 'exclusive', () => {
      applyConfigChange(ctx.sim, vm, change);
    });
    return null;
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/config', async (ctx) => {
    const { sim } = ctx;
    const vm = vmOf(ctx);
    const change = prepareConfigChange(sim, ctx.auth, vm, ctx.params);
    const upid = sim.tasks.start(vm.node, 'qmconfig', String(vm.vmid), ctx.auth.upidUser, async (task) => {
      await sim.flocks.with(vm.vmid, 'exclusive', () => {
        applyConfigChange(sim, vm, change);
      });
      task.log(
        `update VM ${vm.vmid}: ${Object.keys(change.set)
          .map((k) => `-${k}`)
          .join(' ')}`,
      );
    });
    const backgroundDelay = num(ctx.params, 'background_delay');
    if (backgroundDelay === undefined) return upid;
    const deadline = Date.now() + backgroundDelay * 1000;
    for (;;) {
      const task = sim.tasks.find(upid);
      if (task?.status === 'stopped') {
        if (task.exitstatus === 'OK') return null;
        throw pveDie(`failed to update VM ${vm.vmid}: ${task.exitstatus ?? ''}`);
      }
      if (Date.now() >= deadline) return upid;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  routes.set('PUT /nodes/{node}/qemu/{vmid}/unlink', async (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Config.Disk');
    const params: Record<string, PveParamValue> = { delete: String(ctx.params.idlist) };
    if (flag(ctx.params, 'force')) params.force = 1;
    const change = prepareConfigChange(ctx.sim, ctx.auth, vm, params);
    await ctx.sim.flocks.with(vm.vmid, 'exclusive', () => {
      applyConfigChange(ctx.sim, vm, change);
    });
    return null;
  });

  routes.set('PUT /nodes/{node}/qemu/{vmid}/resize', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Config.Disk');
    const disk = String(ctx.params.disk);
    const sizeText = String(ctx.params.size);
    const digest = str(ctx.params, 'digest');
    return vmTask(ctx, vm, 'resize', async (task) => {
      if (digest !== undefined && digest !== renderConfig(vm, true).digest)
        throw new TaskError('checksum mismatch (file change by other user?)');
      const value = vm.config[disk];
      if (value === undefined) throw new TaskError(`disk '${disk}' does not exist`);
      if (isCdrom(value)) throw new TaskError(`you can't resize a cdrom`);
      const volume = ctx.sim.state.findVolume(vm.node, diskVolume(value));
      const current = volume?.size ?? parseSize(propertyValue(value, 'size') ?? '0');
      const relative = sizeText.startsWith('+');
      const amount = parseSize(relative ? sizeText.slice(1) : sizeText);
      const next = relative ? current + amount : amount;
      if (next < current) throw new TaskError('shrinking disks is not supported');
      if (next === current) return;
      await task.sleep(1500);
      if (volume) volume.size = next;
      vm.config[disk] = value.replace(/(,size=)[^,]*/, `$1${formatSize(next)}`);
      task.log(`Image resized.`);
    });
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/template', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Allocate');
    if (vm.running) throw pveDie(`you can't convert a running VM to a template`);
    return vmTask(ctx, vm, 'qmtemplate', async (task) => {
      for (const key of diskKeys(vm.config)) {
        const value = vm.config[key] ?? '';
        if (isCdrom(value)) continue;
        const volume = ctx.sim.state.findVolume(vm.node, diskVolume(value));
        if (!volume) continue;
        const base = volume.volid.replace(/vm-(\d+)-disk-/, 'base-$1-disk-');
        task.log(`renaming volume '${volume.volid}' to '${base}'`);
        vm.config[key] = value.replace(volume.volid, base);
        volume.volid = base;
        await task.sleep(500);
      }
      vm.config.template = '1';
    });
  });

  // ---- power (the two error phases: sync state checks vs. failures inside the task) ------------------

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/start', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    return vmTask(
      ctx,
      vm,
      'qmstart',
      async (task) => {
        if (vm.config.lock === 'backup' && vm.running) {
          vm.paused = false; // start during a backup resumes
          return;
        }
        if (vm.config.template === '1') throw new TaskError(`you can't start a vm if it's a template`);
        if (vm.running) throw new TaskError(`VM ${vm.vmid} already running`);
        const bridge = propertyValue(vm.config.net0, 'bridge');
        if (bridge !== undefined && !ctx.sim.state.node(vm.node).bridges.includes(bridge)) {
          throw new TaskError(`bridge '${bridge}' does not exist`);
        }
        if (Object.values(vm.config).some((v) => v.includes('cloudinit')))
          task.log('generating cloud-init ISO');
        await task.sleep(2000);
        powerOn(ctx.sim, vm);
      },
      { allowBackupLock: true },
    );
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/stop', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    if (flag(ctx.params, 'keepActive')) ctx.sim.auth.requireRootParam(ctx.auth, 'keepActive');
    return vmTask(ctx, vm, 'qmstop', async (task) => {
      if (!vm.running) return;
      await task.sleep(1000);
      powerOff(ctx.sim, vm);
    });
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/shutdown', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    const forceStop = flag(ctx.params, 'forceStop');
    if (vm.running && vm.paused && !forceStop) throw pveDie('VM is paused - cannot shutdown');
    return vmTask(ctx, vm, 'qmshutdown', async (task) => {
      if (!vm.running) return;
      // The guest needs a few seconds to power down; PVE gives up after `timeout` (default 60 s).
      const needed = agentEnabled(vm) ? 4000 : 6000;
      const timeoutMs = (num(ctx.params, 'timeout') ?? 60) * 1000;
      if (timeoutMs < needed) {
        await task.sleep(timeoutMs);
        if (!forceStop) throw new TaskError('VM quit/powerdown failed - got timeout');
        task.log('VM still running - terminating now with SIGTERM');
      } else await task.sleep(needed);
      powerOff(ctx.sim, vm);
    });
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/reboot', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    requireRunning(vm);
    if (vm.paused) throw pveDie('VM is paused - cannot shutdown');
    return vmTask(ctx, vm, 'qmreboot', async (task) => {
      await task.sleep(5000);
      powerOff(ctx.sim, vm);
      await task.sleep(2000);
      powerOn(ctx.sim, vm); // applies pending changes
    });
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/reset', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    requireRunning(vm);
    return vmTask(ctx, vm, 'qmreset', async (task) => {
      await task.sleep(500);
      vm.startedAt = nowSeconds();
      vm.paused = false;
      vm.agentReadyAt = Date.now() + ctx.sim.tasks.scaled(25_000);
    });
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/suspend', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    requireRunning(vm);
    const todisk = flag(ctx.params, 'todisk');
    return vmTask(
      ctx,
      vm,
      todisk ? 'qmsuspend' : 'qmpause',
      async (task) => {
        await task.sleep(300);
        if (todisk) {
          vm.running = false;
          vm.paused = false;
          vm.config.lock = 'suspended';
        } else vm.paused = true;
      },
      { allowBackupLock: true },
    );
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/status/resume', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
    const fromDisk = vm.config.lock === 'suspended';
    if (!fromDisk) requireRunning(vm);
    if (flag(ctx.params, 'nocheck')) ctx.sim.auth.requireRootParam(ctx.auth, 'nocheck');
    const { sim, auth } = ctx;
    return sim.tasks.start(vm.node, 'qmresume', String(vm.vmid), auth.upidUser, async (task) => {
      await sim.flocks.with(vm.vmid, 'exclusive', async () => {
        if (fromDisk) {
          delete vm.config.lock;
          await task.sleep(1000);
          powerOn(sim, vm);
          return;
        }
        if (vm.config.lock !== 'backup') checkLock(vm);
        vm.paused = false;
      });
    });
  });

  // ---- destroy ----------------------------------------------------------------------------------------

  routes.set('DELETE /nodes/{node}/qemu/{vmid}', (ctx) => {
    const { sim } = ctx;
    const vm = vmOf(ctx);
    sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.Allocate');
    if (vm.config.protection === '1') throw pveDie(`can't remove VM ${vm.vmid} - protection mode enabled`);
    if (vm.running) throw pveDie(`VM ${vm.vmid} is running - destroy failed`);
    const unreferenced = flag(ctx.params, 'destroy-unreferenced-disks');
    return vmTask(ctx, vm, 'qmdestroy', async (task) => {
      if (vm.config.template === '1') {
        for (const key of diskKeys(vm.config)) {
          const base = diskVolume(vm.config[key] ?? '');
          const user = sim.state.data.volumes.find((v) => v.volid.includes(`${base.split(':')[1] ?? ''}/`));
          if (user) throw new TaskError(`base volume '${base}' is still in use by linked cloned`);
        }
      }
      for (const [key, value] of Object.entries(vm.config)) {
        if (!(DISK_KEY.test(key) || /^unused\d+$/.test(key))) continue;
        if (isCdrom(value) && !value.includes('cloudinit')) continue;
        const volume = sim.state.findVolume(vm.node, diskVolume(value));
        if (volume) {
          sim.state.removeVolume(volume);
          task.log(`  Logical volume "${volume.volid.split(':')[1] ?? ''}" successfully removed.`);
          await task.sleep(300);
        }
      }
      if (unreferenced) {
        for (const v of sim.state.data.volumes.filter((x) => x.vmid === vm.vmid && x.content === 'images'))
          sim.state.removeVolume(v);
      }
      sim.state.removeVm(vm.vmid);
    });
  });

  // ---- clone ------------------------------------------------------------------------------------------

  routes.set('POST /nodes/{node}/qemu/{vmid}/clone', (ctx) => cloneVm(ctx, vmOf(ctx)));

  // ---- create / restore -------------------------------------------------------------------------------

  routes.set('POST /nodes/{node}/qemu', (ctx) => {
    const { sim, params, auth } = ctx;
    const node = sim.state.node(String(params.node)).name;
    const vmid = Number(params.vmid);
    if (params.archive !== undefined) return restoreFromBackup(ctx, node, vmid);
    sim.auth.require(auth, `/vms/${vmid}`, 'VM.Allocate');
    const existing = sim.state.findVm(vmid);
    if (existing)
      throw pveDie(`unable to create VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`);
    const vm = newVm(vmid, node, sim.state.random, { lock: 'create' });
    sim.state.data.vms.push(vm);
    const set: Record<string, PveParamValue> = {};
    for (const [k, v] of Object.entries(params))
      if (
        !['node', 'vmid', 'start', 'pool', 'unique', 'force', 'storage', 'bwlimit', 'live-restore'].includes(
          k,
        )
      )
        set[k] = v;
    const start = flag(params, 'start');
    return sim.tasks.start(node, 'qmcreate', String(vmid), auth.upidUser, async (task) => {
      try {
        await sim.flocks.with(vmid, 'exclusive', async () => {
          delete vm.config.lock;
          if (Object.keys(set).length > 0) {
            const change = prepareConfigChange(sim, auth, vm, set);
            applyConfigChange(sim, vm, change);
          }
          vm.config.lock = 'create';
          await task.sleep(1000);
          delete vm.config.lock;
        });
      } catch (error) {
        sim.state.removeVm(vmid);
        throw new TaskError(
          `unable to create VM ${vmid} - ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (start) powerOn(sim, vm);
    });
  });

  // ---- guest agent ------------------------------------------------------------------------------------

  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted');
    requireAgent(vm, 'guest-network-get-interfaces');
    const { address, prefix } = guestIpv4(ctx.sim, vm);
    const mac = (
      /^[a-z0-9]+=([0-9A-F:]{17})/i.exec(vm.config.net0 ?? '')?.[1] ?? '00:00:00:00:00:00'
    ).toLowerCase();
    const uptime = Math.max(1, nowSeconds() - (vm.startedAt ?? nowSeconds()));
    const stats = (f: number): Record<string, number> => {
      const n = (x: number): number => Math.round(uptime * x * f);
      return {
        'rx-bytes': n(2000),
        'rx-packets': n(20),
        'rx-errs': 0,
        'rx-dropped': 0,
        'tx-bytes': n(1500),
        'tx-packets': n(15),
        'tx-errs': 0,
        'tx-dropped': 0,
      };
    };
    return {
      result: [
        {
          name: 'lo',
          'hardware-address': '00:00:00:00:00:00',
          'ip-addresses': [
            { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
            { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
          ],
          statistics: stats(0.1),
        },
        {
          name: 'eth0',
          'hardware-address': mac,
          'ip-addresses': [
            { 'ip-address': address, 'ip-address-type': 'ipv4', prefix },
            {
              'ip-address': `fe80::be24:11ff:fe${mac.slice(9, 11)}:${mac.slice(12, 14)}${mac.slice(15, 17)}`,
              'ip-address-type': 'ipv6',
              prefix: 64,
            },
          ],
          statistics: stats(1),
        },
      ],
    };
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/file-read', (ctx) => {
    const vm = vmOf(ctx);
    ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, 'VM.GuestAgent.FileRead', 'VM.GuestAgent.Unrestricted');
    requireAgent(vm, 'guest-file-open');
    const file = String(ctx.params.file);
    const content = vm.guestFiles[file];
    if (content === undefined)
      throw pveDie(`Agent error: Failed to open file '${file}': No such file or directory`);
    const max = 16 * 1024 * 1024;
    return content.length > max ? { content: content.slice(0, max), truncated: true } : { content };
  });
}

function cloneVm(ctx: RequestContext, source: SimVm): string {
  const { sim, auth, params } = ctx;
  const newid = Number(params.newid);
  sim.auth.require(auth, `/vms/${source.vmid}`, 'VM.Clone');
  const pool = str(params, 'pool');
  if (pool !== undefined) throw permissionError(`pool '${pool}' does not exist`);
  sim.auth.require(auth, `/vms/${newid}`, 'VM.Allocate');
  checkLock(source);
  const target = str(params, 'target') ?? source.node;
  if (!sim.state.hasNode(target)) throw pveDie(`no such cluster node '${target}'`);
  const isTemplate = source.config.template === '1';
  const full = params.full !== undefined ? flag(params, 'full') : !isTemplate;
  const storageParam = str(params, 'storage');
  if (!full && storageParam !== undefined) throw pveDie(`parameter 'storage' not allowed for linked clones`);
  if (!full && params.format !== undefined) throw pveDie(`parameter 'format' not allowed for linked clones`);
  if (!full && !isTemplate) throw pveDie('linked clone feature for non-template VMs is not supported');
  const existing = sim.state.findVm(newid);
  if (existing?.node === source.node)
    throw pveDie(`unable to create VM ${newid}: config file already exists`);
  const disks = diskKeys(source.config).filter(
    (k) => !isCdrom(source.config[k] ?? '') || (source.config[k] ?? '').includes('cloudinit'),
  );
  for (const key of disks) {
    const storageId = storageParam ?? diskVolume(source.config[key] ?? '').split(':')[0] ?? '';
    const storage = sim.state.storage(storageId);
    if (!storage) throw pveDie(`storage '${storageId}' does not exist`);
    if (target !== source.node && !storage.shared)
      throw pveDie(`can't clone VM to node '${target}' (VM uses local storage)`);
    if (!storage.content.includes('images'))
      throw paramError({ storage: `storage '${storageId}' does not support vm images` });
    sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.AllocateSpace');
  }
  // The target's config is created at once as a stub holding only `lock: clone`.
  let stub: SimVm | undefined;
  if (!existing) {
    stub = newVm(newid, source.node, sim.state.random, {});
    stub.config = { lock: 'clone' };
    stub.guestFiles = {};
    sim.state.data.vms.push(stub);
  }
  const sourceMode = source.running ? 'exclusive' : 'shared';
  return sim.tasks.start(source.node, 'qmclone', String(source.vmid), auth.upidUser, async (task) => {
    if (!stub) throw new TaskError(`clone failed: unable to create VM ${newid}: config file already exists`);
    const created: string[] = [];
    const vm = stub;
    try {
      await sim.flocks.with(newid, 'exclusive', () =>
        sim.flocks.with(source.vmid, sourceMode, async () => {
          const config: Record<string, string> = {};
          for (const [k, v] of Object.entries(source.config)) {
            if (k === 'template' || /^unused\d+$/.test(k) || k === 'lock' || DISK_KEY.test(k)) continue;
            config[k] = v;
          }
          config.name = str(params, 'name') ?? `Copy-of-VM-${source.config.name ?? String(source.vmid)}`;
          const description = str(params, 'description');
          if (description !== undefined) config.description = description;
          config.smbios1 = `uuid=${sim.state.random.uuid()}`;
          if (config.vmgenid !== undefined) config.vmgenid = sim.state.random.uuid();
          for (const key of Object.keys(config)) {
            if (/^net\d+$/.test(key))
              config[key] = (config[key] ?? '').replace(
                /^([a-z0-9]+)=[0-9A-F:]{17}/i,
                `$1=${sim.state.random.mac()}`,
              );
          }
          for (const key of diskKeys(source.config)) {
            const value = source.config[key] ?? '';
            const volid = diskVolume(value);
            const options = value.slice(volid.length);
            if (isCdrom(value) && !value.includes('cloudinit')) {
              config[key] = value;
              continue;
            }
            const storageId =
              (value.includes('cloudinit') ? undefined : storageParam) ?? volid.split(':')[0] ?? '';
            const volume = sim.state.findVolume(source.node, volid);
            const size = volume?.size ?? parseSize(propertyValue(value, 'size') ?? '0');
            if (value.includes('cloudinit')) {
              const newVol = sim.state.allocateDisk(target, storageId, newid, size, 'cloudinit');
              created.push(newVol);
              config[key] = `${newVol},media=cdrom`;
              continue;
            }
            if (full) {
              task.log(`create full clone of drive ${key} (${volid})`);
              const newVol = sim.state.allocateDisk(target, storageId, newid, size);
              created.push(newVol);
              const gib = size / GiB;
              const seconds = Math.max(2, gib * 1.5);
              const steps = 4;
              for (let i = 1; i <= steps; i++) {
                await task.sleep((seconds * 1000) / steps);
                const done = (gib * i) / steps;
                task.log(
                  `transferred ${done.toFixed(1)} GiB of ${gib.toFixed(1)} GiB (${((100 * i) / steps).toFixed(2)}%) in ${Math.round((seconds * i) / steps)}s`,
                );
              }
              config[key] = `${newVol}${options}`;
            } else {
              task.log(`create linked clone of drive ${key} (${volid})`);
              const name = volid.split(':')[1] ?? '';
              const linked = `${volid.split(':')[0] ?? ''}:${name}/vm-${newid}-disk-${created.filter((v) => !v.includes('cloudinit')).length}`;
              sim.state.data.volumes.push({
                volid: linked,
                storage: volid.split(':')[0] ?? '',
                content: 'images',
                format: 'raw',
                size,
                vmid: newid,
                ctime: nowSeconds(),
              });
              created.push(linked);
              await task.sleep(1000);
              config[key] = `${linked}${options}`;
            }
          }
          config.lock = 'clone';
          vm.config = config;
          vm.guestFiles = guestFiles(newid, config.name);
          await task.sleep(300);
          if (target !== source.node) vm.node = target;
          delete vm.config.lock;
        }),
      );
    } catch (error) {
      for (const volid of created) {
        const v = sim.state.data.volumes.find((x) => x.volid === volid);
        if (v) sim.state.removeVolume(v);
      }
      sim.state.removeVm(newid);
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskError(`clone failed: ${message}`);
    }
  });
}
