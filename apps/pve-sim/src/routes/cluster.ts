/** /version, /nodes, node status and RRD, /cluster/resources, /cluster/nextid, and the task endpoints. */
import { parseUpid, wallTimeAt, type PveRelease } from '@proxdeck/pve-client';
import type { AuthInfo } from '../auth';
import { EnvelopeWithExtras, flag, num, str, type RouteTable, type SimServices } from '../context';
import { PveHttpError, paramError, pveDie } from '../http-error';
import { nodeRrd, nodeUsage, vmRrd } from '../metrics';
import type { SimNode, SimTask } from '../state/model';
import { memoryMiB } from '../state/vm-config';

/** What `/version` answers, per simulated release. */
export const PVE_VERSIONS: Record<
  PveRelease,
  { version: string; release: string; repoid: string; kernel: string }
> = {
  '9.2': { version: '9.2.11', release: '9.2', repoid: 'a1b2c3d4e5f60718', kernel: '6.14.11-4-pve' },
  '8.3': { version: '8.3.5', release: '8.3', repoid: 'dac3aa88bac3f300', kernel: '6.8.12-8-pve' },
};

function versionAnswer(release: PveRelease): { version: string; release: string; repoid: string } {
  const { version, repoid } = PVE_VERSIONS[release];
  return { version, release, repoid };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Live node figures, as `/nodes/{node}/status` reads them. */
function nodeStats(sim: SimServices, node: SimNode): Record<string, unknown> {
  return nodeUsage(sim.state, sim.seed, node, nowSeconds());
}

function nodeEntry(sim: SimServices, auth: AuthInfo, node: SimNode): Record<string, unknown> {
  const online = node.online && !sim.faults.nodeUnreachable(node.name);
  const base: Record<string, unknown> = {
    node: node.name,
    status: online ? 'online' : 'offline',
    id: `node/${node.name}`,
    type: 'node',
    ssl_fingerprint:
      'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  };
  // Usage figures come from pvestatd's cache (stats-cache.ts), and only to callers with Sys.Audit on the node.
  const cached =
    online && sim.auth.has(auth, `/nodes/${node.name}`, 'Sys.Audit') ? sim.stats.node(node) : undefined;
  if (cached) Object.assign(base, cached);
  return base;
}

export function taskListItem(task: SimTask, includeRunningStatus: boolean): Record<string, unknown> {
  const [user = task.user, tokenid] = task.user.split('!');
  const item: Record<string, unknown> = {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user,
  };
  if (tokenid !== undefined) item.tokenid = tokenid;
  if (task.status === 'stopped') {
    item.endtime = task.endtime;
    item.status = task.exitstatus;
  } else if (includeRunningStatus) {
    item.status = 'RUNNING';
  }
  return item;
}

/** Tasks.pm $check_task_user: own tasks (a token: only its own), others with Sys.Audit on the node. */
function nodeTaskVisible(sim: SimServices, auth: AuthInfo, task: SimTask): boolean {
  if (sim.auth.has(auth, `/nodes/${task.node}`, 'Sys.Audit')) return true;
  if (auth.tokenid !== undefined) return task.user === auth.upidUser;
  return task.user.split('!')[0] === auth.userid;
}

function findTask(sim: SimServices, node: string, upid: string): SimTask {
  sim.state.node(node);
  if (!parseUpid(upid)) throw paramError({ upid: 'unable to parse worker upid' });
  const task = sim.tasks.find(upid);
  if (task?.node !== node) throw paramError({ upid: 'no such task' });
  return task;
}

export function registerClusterRoutes(routes: RouteTable): void {
  routes.set('GET /version', ({ sim }) => versionAnswer(sim.release));

  routes.set('GET /nodes/{node}/version', ({ sim, params }) => {
    sim.state.node(String(params.node));
    return versionAnswer(sim.release);
  });

  /**
   * datacenter.cfg as parsed (`next-id` is the range /cluster/nextid draws from); without Sys.Audit on `/` only
   * `console` and `tag-style`. `allowed-tags`: the tags of the guests the caller may audit (free tag access).
   */
  routes.set('GET /cluster/options', ({ sim, auth }) => {
    const config = sim.state.datacenterOptions();
    const options: Record<string, unknown> = sim.auth.has(auth, '/', 'Sys.Audit')
      ? structuredClone(config)
      : Object.fromEntries(
          Object.entries(config).filter(([key]) => key === 'console' || key === 'tag-style'),
        );
    const tags = new Set<string>();
    for (const vm of sim.state.data.vms) {
      if (!sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Audit')) continue;
      for (const tag of (vm.config.tags ?? '').split(/[;,\s]+/)) if (tag !== '') tags.add(tag);
    }
    options['allowed-tags'] = [...tags].sort();
    return options;
  });

  /** Containers: the simulated cluster runs none (items would be filtered by VM.Audit). */
  routes.set('GET /nodes/{node}/lxc', ({ sim, params }) => {
    sim.state.node(String(params.node));
    return [];
  });

  routes.set('GET /nodes', ({ sim, auth }) => sim.state.data.nodes.map((n) => nodeEntry(sim, auth, n)));

  routes.set('GET /nodes/{node}/time', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node));
    sim.auth.require(auth, `/nodes/${node.name}`, 'Sys.Audit');
    const time = Math.floor(sim.now() / 1000);
    return { timezone: sim.timeZone, time, localtime: wallTimeAt(time * 1000, sim.timeZone) / 1000 };
  });

  routes.set('GET /nodes/{node}/status', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node));
    sim.auth.require(auth, `/nodes/${node.name}`, 'Sys.Audit');
    const stats = nodeStats(sim, node);
    const { kernel } = PVE_VERSIONS[sim.release];
    const cpu = Number(stats.cpu);
    const load = (f: number): string => (cpu * node.maxcpu * f).toFixed(2);
    const mem = Number(stats.mem);
    return {
      cpu,
      wait: Number((cpu * 0.03).toFixed(4)),
      loadavg: [load(0.9), load(0.8), load(0.7)],
      uptime: stats.uptime,
      idle: 0,
      memory: { total: node.maxmem, used: mem, free: node.maxmem - mem, available: node.maxmem - mem },
      swap: { total: 8 * 1024 ** 3, used: 0, free: 8 * 1024 ** 3 },
      rootfs: {
        total: node.maxdisk,
        used: stats.disk,
        avail: node.maxdisk - Number(stats.disk),
        free: node.maxdisk - Number(stats.disk),
      },
      ksm: { shared: 0 },
      cpuinfo: {
        model: node.cpuModel,
        cores: node.maxcpu / 2,
        cpus: node.maxcpu,
        sockets: 1,
        mhz: '3000.000',
        hvm: '1',
        flags:
          'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local user_shstk clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin brs arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca',
        user_hz: 100,
      },
      kversion: `Linux ${kernel} #1 SMP PREEMPT_DYNAMIC PMX ${kernel.replace(/-pve$/, '')} (2026-10-10T09:15Z)`,
      'current-kernel': {
        sysname: 'Linux',
        release: kernel,
        version: `#1 SMP PREEMPT_DYNAMIC PMX ${kernel.replace(/-pve$/, '')} (2026-10-10T09:15Z)`,
        machine: 'x86_64',
      },
      'boot-info': { mode: 'efi', secureboot: 0 },
      pveversion: `pve-manager/${PVE_VERSIONS[sim.release].version}/${PVE_VERSIONS[sim.release].repoid}`,
    };
  });

  routes.set('GET /nodes/{node}/rrddata', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node));
    sim.auth.require(auth, `/nodes/${node.name}`, 'Sys.Audit');
    const usedMem = sim.state
      .vmsOn(node.name)
      .filter((v) => v.running)
      .reduce((s, v) => s + memoryMiB(v) * 1024 * 1024, 4 * 1024 ** 3);
    return nodeRrd(
      node,
      sim.seed,
      String(params.timeframe),
      str(params, 'cf') ?? 'AVERAGE',
      nowSeconds(),
      usedMem,
      sim.release,
    );
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/rrddata', ({ sim, auth, params }) => {
    const vm = sim.state.vm(String(params.node), Number(params.vmid));
    sim.auth.require(auth, `/vms/${vm.vmid}`, 'VM.Audit');
    return vmRrd(
      vm,
      sim.seed,
      String(params.timeframe),
      str(params, 'cf') ?? 'AVERAGE',
      nowSeconds(),
      sim.release,
    );
  });

  routes.set('GET /cluster/resources', ({ sim, auth, params }) => {
    const type = str(params, 'type');
    const out: Record<string, unknown>[] = [];
    if (type === undefined || type === 'vm') {
      for (const vm of sim.state.data.vms) {
        if (!sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Audit')) continue;
        // The VM list is live; status, name and usage come from pvestatd's cache (stats-cache.ts).
        const row: Record<string, unknown> = {
          id: `qemu/${vm.vmid}`,
          type: 'qemu',
          vmid: vm.vmid,
          node: vm.node,
        };
        const cached = sim.stats.vm(vm);
        if (cached) {
          Object.assign(row, {
            status: cached.status,
            name: cached.name,
            template: cached.template,
            maxcpu: cached.maxcpu,
            ...cached.usage,
          });
        } else {
          row.status = 'unknown';
        }
        if (vm.config.tags !== undefined && vm.config.tags !== '') row.tags = vm.config.tags;
        if (vm.config.lock !== undefined) row.lock = vm.config.lock;
        out.push(row);
      }
    }
    if (type === undefined || type === 'node') {
      for (const node of sim.state.data.nodes) {
        out.push({
          ...nodeEntry(sim, auth, node),
          'cgroup-mode': 2,
          ...(sim.release === '9.2' ? { 'host-arch': 'x86_64' } : {}), // new in PVE 9
        });
      }
    }
    if (type === undefined || type === 'storage') {
      for (const node of sim.state.data.nodes) {
        for (const storage of sim.state.storagesOn(node.name)) {
          if (!sim.auth.has(auth, `/storage/${storage.storage}`, 'Datastore.Audit')) continue;
          const cached = sim.stats.storage(node, storage);
          out.push({
            id: `storage/${node.name}/${storage.storage}`,
            type: 'storage',
            storage: storage.storage,
            node: node.name,
            plugintype: storage.type,
            status: cached ? 'available' : 'unknown',
            shared: storage.shared ? 1 : 0,
            content: storage.content.join(','),
            ...(cached ? { disk: cached.disk, maxdisk: cached.maxdisk } : {}),
          });
        }
      }
    }
    if (
      (type === undefined || type === 'sdn') &&
      sim.auth.has(auth, '/sdn/zones/localnetwork', 'SDN.Audit')
    ) {
      for (const node of sim.state.data.nodes) {
        out.push({
          id: `sdn/${node.name}/localnetwork`,
          type: 'sdn',
          sdn: 'localnetwork',
          node: node.name,
          status: 'ok',
        });
      }
    }
    return out;
  });

  routes.set('GET /cluster/status', ({ sim }) => {
    const nodes = sim.state.data.nodes;
    return [
      {
        type: 'cluster',
        id: 'cluster',
        name: sim.state.data.clusterName,
        nodes: nodes.length,
        quorate: 1,
        version: nodes.length + 2,
      },
      ...nodes.map((n, i) => ({
        type: 'node',
        id: `node/${n.name}`,
        name: n.name,
        ip: `10.10.0.${11 + i}`,
        level: '',
        local: i === 0 ? 1 : 0,
        nodeid: i + 1,
        online: n.online && !sim.faults.nodeUnreachable(n.name) ? 1 : 0,
      })),
    ];
  });

  routes.set('GET /cluster/ha/resources', () => []);

  routes.set('GET /pools', () => []);

  routes.set('GET /nodes/{node}/network', ({ sim, params }) => {
    const node = sim.state.node(String(params.node));
    const index = sim.state.data.nodes.indexOf(node);
    const type = str(params, 'type');
    const ports = ['eno1', 'eno2'];
    const interfaces = [
      ...ports.map((iface, i) => ({
        iface,
        type: 'eth',
        method: 'manual',
        families: ['inet'],
        active: 1,
        exists: 1,
        priority: 3 + i,
      })),
      ...node.bridges.map((iface, i) => ({
        iface,
        type: 'bridge',
        method: i === 0 ? 'static' : 'manual',
        families: ['inet'],
        active: 1,
        autostart: 1,
        bridge_ports: ports[i] ?? '',
        bridge_stp: 'off',
        bridge_fd: '0',
        ...(i === 0
          ? {
              address: `10.10.0.${11 + index}`,
              netmask: '24',
              cidr: `10.10.0.${11 + index}/24`,
              gateway: '10.10.0.1',
            }
          : { bridge_vlan_aware: 1 }),
        priority: 5 + i,
      })),
    ];
    if (type === undefined) return interfaces;
    if (type === 'any_bridge') return interfaces.filter((i) => i.type === 'bridge' || i.type === 'OVSBridge');
    return interfaces.filter((i) => i.type === type);
  });

  routes.set('GET /cluster/nextid', ({ sim, params }) => {
    const vmid = num(params, 'vmid');
    if (vmid === undefined) return sim.state.lowestFreeVmid();
    if (sim.state.findVm(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
    return String(vmid); // PVE echoes the string it was given
  });

  routes.set('GET /cluster/tasks', ({ sim, auth }) => {
    const all = sim.auth.has(auth, '/', 'Sys.Audit');
    return sim.state.data.tasks
      .filter((t) => all || (auth.tokenid === undefined && t.user.split('!')[0] === auth.userid))
      .slice(-1000)
      .reverse()
      .map((t) => taskListItem(t, false));
  });

  routes.set('GET /nodes/{node}/tasks', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const source = str(params, 'source') ?? 'archive';
    const vmid = num(params, 'vmid');
    const typefilter = str(params, 'typefilter');
    const userfilter = str(params, 'userfilter');
    const statusfilter = str(params, 'statusfilter')?.split(/[,;\s]+/);
    const since = num(params, 'since');
    const until = num(params, 'until');
    const start = num(params, 'start') ?? 0;
    const limit = num(params, 'limit') ?? 50;
    const errorsOnly = flag(params, 'errors');
    const list = sim.state.data.tasks
      .filter((t) => t.node === node)
      .filter((t) =>
        source === 'archive' ? t.status === 'stopped' : source === 'active' ? t.status === 'running' : true,
      )
      .filter((t) => nodeTaskVisible(sim, auth, t))
      .filter((t) => vmid === undefined || t.id === String(vmid))
      .filter((t) => typefilter === undefined || t.type === typefilter)
      .filter((t) => userfilter === undefined || t.user.includes(userfilter))
      .filter((t) => since === undefined || t.starttime >= since)
      .filter((t) => until === undefined || t.starttime <= until)
      .filter((t) => !errorsOnly || (t.status === 'stopped' && t.exitstatus !== 'OK'))
      .filter((t) => {
        if (!statusfilter) return true;
        const kind =
          t.status === 'running'
            ? 'active'
            : t.exitstatus === 'OK'
              ? 'ok'
              : t.exitstatus?.startsWith('WARNINGS')
                ? 'warning'
                : 'error';
        return statusfilter.includes(kind);
      })
      .sort((a, b) => b.starttime - a.starttime)
      .map((t) => taskListItem(t, true));
    return new EnvelopeWithExtras(list.slice(start, start + limit), { total: list.length });
  });

  routes.set('GET /nodes/{node}/tasks/{upid}/status', ({ sim, auth, params }) => {
    const task = findTask(sim, String(params.node), String(params.upid));
    if (!nodeTaskVisible(sim, auth, task)) throw new PveHttpError(403, 'Permission check failed');
    const item = taskListItem(task, false);
    delete item.endtime;
    return {
      ...item,
      status: task.status,
      ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
    };
  });

  routes.set('GET /nodes/{node}/tasks/{upid}/log', ({ sim, auth, params }) => {
    const task = findTask(sim, String(params.node), String(params.upid));
    if (!nodeTaskVisible(sim, auth, task)) throw new PveHttpError(403, 'Permission check failed');
    const start = num(params, 'start') ?? 0;
    const limit = flag(params, 'download') ? 0 : (num(params, 'limit') ?? 50);
    const lines = task.log.length > 0 ? task.log : ['no content'];
    const selected = lines
      .slice(start, limit === 0 ? undefined : start + limit)
      .map((t, i) => ({ n: start + i + 1, t }));
    return new EnvelopeWithExtras(selected, { total: lines.length });
  });

  routes.set('DELETE /nodes/{node}/tasks/{upid}', ({ sim, auth, params }) => {
    const task = findTask(sim, String(params.node), String(params.upid));
    if (!nodeTaskVisible(sim, auth, task)) throw new PveHttpError(403, 'Permission check failed');
    if (task.status === 'running') sim.tasks.abort(task.upid);
    else throw pveDie(`can't stop task ${task.upid} - task is not running`);
    return null;
  });
}
