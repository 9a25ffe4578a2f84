/**
 * Plausible, deterministic usage figures: smooth curves per VM/node derived from the seed and the time,
 * so RRD series move like real ones and the same seed gives the same numbers.
 */
import type { PveRelease } from '@proxdeck/pve-client';
import { hashSeed } from './random';
import type { ClusterState } from './state/cluster-state';
import type { SimNode, SimVm } from './state/model';
import { cpuCount, memoryMiB, totalDiskBytes } from './state/vm-config';

const MiB = 1024 * 1024;

/** A smooth value in [0, 1] for a key at a time (sum of three seeded sines). */
const phaseCache = new Map<string, number>();

export function wave(key: string, seed: number, t: number): number {
  const cacheKey = `${seed}:${key}`;
  let h = phaseCache.get(cacheKey);
  if (h === undefined) {
    h = hashSeed(cacheKey);
    if (phaseCache.size > 100_000) phaseCache.clear();
    phaseCache.set(cacheKey, h);
  }
  const p1 = (h % 1000) / 159;
  const p2 = ((h >>> 10) % 1000) / 159;
  const p3 = ((h >>> 20) % 1000) / 159;
  const v = Math.sin(t / 900 + p1) * 0.5 + Math.sin(t / 173 + p2) * 0.3 + Math.sin(t / 37 + p3) * 0.2;
  return (v + 1) / 2;
}

export interface VmUsage {
  cpu: number;
  mem: number;
  maxmem: number;
  maxcpu: number;
  maxdisk: number;
  uptime: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

/**
 * The usage fields a VM's entries carry in both `GET /nodes/{node}/qemu` and `GET /cluster/resources`
 * (each adds its own CPU count field: `cpus` and `maxcpu`). Disk usage is 0, as PVE reports for VMs.
 */
export function vmUsageFields(u: VmUsage, release: PveRelease = '9.2'): Record<string, number> {
  const fields: Record<string, number> = {
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
  if (release === '8.3') Reflect.deleteProperty(fields, 'memhost'); // memhost is new in PVE 9
  return fields;
}

/** Usage of a VM now: zeros when stopped; cumulative counters since start when running. */
export function vmUsage(vm: SimVm, seed: number, nowSeconds: number): VmUsage {
  const maxmem = memoryMiB(vm) * MiB;
  const maxcpu = cpuCount(vm);
  const maxdisk = totalDiskBytes(vm.config);
  if (!vm.running || vm.startedAt === undefined) {
    return {
      cpu: 0,
      mem: 0,
      maxmem,
      maxcpu,
      maxdisk,
      uptime: 0,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
    };
  }
  const uptime = Math.max(0, nowSeconds - vm.startedAt);
  const key = `vm${vm.vmid}`;
  const load = vm.paused ? 0 : wave(key, seed, nowSeconds);
  const rate = (name: string, max: number): number =>
    Math.round(max * uptime * (0.3 + 0.2 * wave(`${key}${name}`, seed, 0)));
  return {
    cpu:
      vm.cpuLoad !== undefined && !vm.paused
        ? Math.min(1, Math.max(0, vm.cpuLoad))
        : Number((0.02 + 0.6 * load).toFixed(4)),
    mem: Math.round(maxmem * (0.35 + 0.4 * wave(`${key}m`, seed, nowSeconds))),
    maxmem,
    maxcpu,
    maxdisk,
    uptime,
    netin: rate('ni', 40_000),
    netout: rate('no', 25_000),
    diskread: rate('dr', 90_000),
    diskwrite: rate('dw', 60_000),
  };
}

/** Resolution and point count per timeframe (docs/pve-semantics.md §7.4): PVE 9's `pve-*-9.0` RRD files. */
export const RRD_TIMEFRAMES: Record<string, { step: number; points: number }> = {
  hour: { step: 60, points: 60 },
  day: { step: 60, points: 1440 },
  week: { step: 1800, points: 336 },
  month: { step: 1800, points: 1440 },
  year: { step: 21600, points: 1440 },
  decade: { step: 604800, points: 570 },
};

/** PVE 8's `pve2-*` RRD files: 70 points beyond the hour, and no decade. */
const RRD_TIMEFRAMES_PVE8: Record<string, { step: number; points: number }> = {
  hour: { step: 60, points: 60 },
  day: { step: 1800, points: 70 },
  week: { step: 10800, points: 70 },
  month: { step: 43200, points: 70 },
  year: { step: 604800, points: 70 },
};

/** RRD fields PVE 9 added (host memory, pressure stall information, node ARC and available memory). */
const PVE9_RRD_FIELD = /^(memhost|memavailable|arcsize|pressure\w+)$/;

function rrdLayout(timeframe: string, release: PveRelease): { step: number; points: number } {
  const table = release === '8.3' ? RRD_TIMEFRAMES_PVE8 : RRD_TIMEFRAMES;
  return table[timeframe] ?? { step: 60, points: 60 };
}

/** Leaves out what the release's RRD files do not have. */
function forRelease(points: Record<string, number>[], release: PveRelease): Record<string, number>[] {
  if (release !== '8.3') return points;
  return points.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !PVE9_RRD_FIELD.test(k))));
}

/** RRD points of a VM: floats, rates in bytes/s; points before the VM existed are left out. */
export function vmRrd(
  vm: SimVm,
  seed: number,
  timeframe: string,
  cf: string,
  nowSeconds: number,
  release: PveRelease = '9.2',
): Record<string, number>[] {
  const { step, points } = rrdLayout(timeframe, release);
  const end = Math.floor(nowSeconds / step) * step;
  const maxmem = memoryMiB(vm) * MiB;
  const maxdisk = totalDiskBytes(vm.config);
  const key = `vm${vm.vmid}`;
  const peak = cf === 'MAX' ? 1.25 : 1;
  const out: Record<string, number>[] = [];
  for (let i = points - 1; i >= 0; i--) {
    const time = end - i * step;
    if (vm.createdAt !== undefined && time + step <= vm.createdAt) {
      out.push({ time }); // no RRD data yet: every field is omitted
      continue;
    }
    const running = vm.running && vm.startedAt !== undefined && time >= vm.startedAt;
    const point: Record<string, number> = { time, maxcpu: cpuCount(vm), maxmem, maxdisk, disk: 0 };
    if (running) {
      const w = wave(key, seed, time);
      point.cpu = Math.min(1, (0.02 + 0.6 * w) * peak);
      point.mem = maxmem * (0.35 + 0.4 * wave(`${key}m`, seed, time));
      point.memhost = point.mem * 1.02;
      point.netin = 20_000 * (0.2 + wave(`${key}ni`, seed, time)) * peak;
      point.netout = 12_000 * (0.2 + wave(`${key}no`, seed, time)) * peak;
      point.diskread = 50_000 * wave(`${key}dr`, seed, time) * peak;
      point.diskwrite = 30_000 * wave(`${key}dw`, seed, time) * peak;
      point.pressurecpusome = 0.01 * w;
      point.pressurecpufull = 0;
      point.pressureiosome = 0.02 * w;
      point.pressureiofull = 0.01 * w;
      point.pressurememorysome = 0;
      point.pressurememoryfull = 0;
    } else {
      point.cpu = 0;
      point.mem = 0;
      point.netin = 0;
      point.netout = 0;
      point.diskread = 0;
      point.diskwrite = 0;
    }
    out.push(point);
  }
  return forRelease(out, release);
}

/** What `/nodes/{node}/status` reads live and pvestatd broadcasts: cpu, memory (4 GiB + running VMs), disk, uptime. */
export function nodeUsage(
  state: ClusterState,
  seed: number,
  node: SimNode,
  nowSeconds: number,
): Record<string, number | string> {
  const usedMem = state
    .vmsOn(node.name)
    .filter((v) => v.running)
    .reduce((sum, v) => sum + memoryMiB(v) * MiB, 4 * 1024 ** 3);
  return {
    cpu: Number(nodeLoad(node, seed, nowSeconds).toFixed(4)),
    maxcpu: node.maxcpu,
    mem: usedMem,
    maxmem: node.maxmem,
    disk: Math.round(node.maxdisk * 0.18),
    maxdisk: node.maxdisk,
    uptime: nowSeconds - node.bootedAt,
    level: '',
  };
}

export function nodeLoad(node: SimNode, seed: number, nowSeconds: number): number {
  return 0.05 + 0.35 * wave(`node-${node.name}`, seed, nowSeconds);
}

export function nodeRrd(
  node: SimNode,
  seed: number,
  timeframe: string,
  cf: string,
  nowSeconds: number,
  usedMem: number,
  release: PveRelease = '9.2',
): Record<string, number>[] {
  const { step, points } = rrdLayout(timeframe, release);
  const end = Math.floor(nowSeconds / step) * step;
  const peak = cf === 'MAX' ? 1.25 : 1;
  const out: Record<string, number>[] = [];
  for (let i = points - 1; i >= 0; i--) {
    const time = end - i * step;
    const cpu = nodeLoad(node, seed, time) * peak;
    out.push({
      time,
      cpu,
      maxcpu: node.maxcpu,
      iowait: cpu * 0.05,
      loadavg: cpu * node.maxcpu * 0.8,
      memtotal: node.maxmem,
      memused: usedMem * (0.9 + 0.1 * wave(`nm-${node.name}`, seed, time)),
      memavailable: node.maxmem - usedMem,
      swaptotal: 8 * 1024 ** 3,
      swapused: 0,
      roottotal: node.maxdisk,
      rootused: node.maxdisk * 0.18,
      netin: 400_000 * wave(`nni-${node.name}`, seed, time) * peak,
      netout: 300_000 * wave(`nno-${node.name}`, seed, time) * peak,
      arcsize: 0,
      pressurecpusome: 0.01,
      pressurecpufull: 0,
      pressureiosome: 0.02,
      pressureiofull: 0.01,
      pressurememorysome: 0,
      pressurememoryfull: 0,
    });
  }
  return forRelease(out, release);
}
