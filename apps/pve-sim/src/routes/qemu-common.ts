/** Helpers shared by the QEMU route modules. */
import type { RequestContext, SimServices } from '../context';
import { pveDie } from '../http-error';
import { vmUsage, vmUsageFields } from '../metrics';
import type { TaskHandle } from '../tasks';
import type { SimVm } from '../state/model';
import { checkLock } from '../state/vm-operations';
import { propertyValue } from '../state/vm-config';
import { nowSeconds } from './cluster';

export function vmOf(ctx: RequestContext): SimVm {
  return ctx.sim.state.vm(String(ctx.params.node), Number(ctx.params.vmid));
}

export function vmListItem(sim: SimServices, vm: SimVm): Record<string, unknown> {
  const u = vmUsage(vm, sim.seed, nowSeconds());
  const item: Record<string, unknown> = {
    vmid: vm.vmid,
    name: vm.config.name ?? `VM ${vm.vmid}`,
    status: vm.running ? 'running' : 'stopped',
    cpus: u.maxcpu,
    ...vmUsageFields(u, sim.release),
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

export function agentEnabled(vm: SimVm): boolean {
  const agent = vm.config.agent;
  if (agent === undefined) return false;
  const enabled = propertyValue(agent, 'enabled') ?? agent.split(',')[0];
  return enabled === '1';
}

/** The guest's IPv4 from its cloud-init `ipconfig0`, or a DHCP lease derived from the vmid. */
export function guestIpv4(sim: SimServices, vm: SimVm): { address: string; prefix: number } {
  const ip = propertyValue(vm.running ? vm.bootIpconfig0 : vm.config.ipconfig0, 'ip');
  const m = ip !== undefined ? /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(ip) : null;
  if (m?.[1] && m[2]) return { address: m[1], prefix: Number(m[2]) };
  const nodeIndex = sim.state.data.nodes.findIndex((n) => n.name === vm.node);
  return { address: `10.20.${nodeIndex + 1}.${(vm.vmid % 200) + 20}`, prefix: 24 };
}

export function requireAgent(vm: SimVm, command: string): void {
  if (!agentEnabled(vm)) throw pveDie('No QEMU guest agent configured');
  if (!vm.running) throw pveDie(`VM ${vm.vmid} is not running`);
  if (vm.paused) throw pveDie(`VM ${vm.vmid} qmp command '${command}' failed - got timeout`);
  if ((vm.agentReadyAt ?? 0) > Date.now()) throw pveDie('QEMU guest agent is not running');
}

/** Runs `work` in a task under the VM's exclusive flock; the config lock is checked inside, as PVE does. */
export function vmTask(
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

export function requireRunning(vm: SimVm): void {
  if (!vm.running) throw pveDie(`VM ${vm.vmid} not running`);
}
