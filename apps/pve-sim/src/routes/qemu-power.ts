/**
 * QEMU power calls and their two error phases (docs/pve-semantics.md §5–6): state checks that fail synchronously
 * (reboot/reset/suspend/resume on a stopped VM) versus failures inside the task (start on a running VM, locks).
 */
import { flag, num, type RouteTable } from '../context';
import { pveDie } from '../http-error';
import { TaskError } from '../tasks';
import { checkLock, powerOff, powerOn } from '../state/vm-operations';
import { propertyValue } from '../state/vm-config';
import { nowSeconds } from './cluster';
import { agentEnabled, requireRunning, vmOf, vmTask } from './qemu-common';

export function registerQemuPowerRoutes(routes: RouteTable): void {
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
        // Pending changes apply at start, so the bridges checked are those of the merged config.
        const nics = Object.entries({ ...vm.config, ...vm.pending }).filter(([key]) => /^net\d+$/.test(key));
        for (const [, value] of nics) {
          const bridge = propertyValue(value, 'bridge');
          if (bridge !== undefined && !ctx.sim.state.node(vm.node).bridges.includes(bridge)) {
            throw new TaskError(`bridge '${bridge}' does not exist`);
          }
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
}
