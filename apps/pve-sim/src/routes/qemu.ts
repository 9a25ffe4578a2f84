/**
 * QEMU VM endpoints: list, the VM's index, status, config (GET/PUT/POST, pending), resize, unlink, template,
 * create, destroy.
 */
import type { PveParamValue } from '@proxdeck/pve-client';
import { flag, num, str, type RouteTable } from '../context';
import { pveDie } from '../http-error';
import { TaskError } from '../tasks';
import { newVm } from '../state/scenario';
import { applyConfigChange, powerOn, prepareConfigChange } from '../state/vm-operations';
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
import { restoreFromBackup } from './backup';
import { agentEnabled, vmListItem, vmOf, vmTask } from './qemu-common';

/** qemu-server 9.2 API2/Qemu.pm vmdiridx, in its order. */
const VM_SUBDIRS = [
  'config',
  'cloudinit',
  'pending',
  'status',
  'unlink',
  'vncproxy',
  'termproxy',
  'migrate',
  'resize',
  'move',
  'rrd',
  'rrddata',
  'monitor',
  'agent',
  'snapshot',
  'spiceproxy',
  'sendkey',
  'firewall',
  'mtunnel',
  'remote_migrate',
  'dbus-vmstate',
];

export function registerQemuRoutes(routes: RouteTable): void {
  routes.set('GET /nodes/{node}/qemu', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    return sim.state
      .vmsOn(node)
      .filter((vm) => sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Audit'))
      .map((vm) => vmListItem(sim, vm));
  });

  /** qemu-server `vmdiridx`: the VM's sub-directories, once its config is known to exist. */
  routes.set('GET /nodes/{node}/qemu/{vmid}', (ctx) => {
    vmOf(ctx);
    return VM_SUBDIRS.map((subdir) => ({ subdir }));
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
}
