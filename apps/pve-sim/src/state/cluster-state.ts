/** The simulated cluster: nodes, storages, volumes, VMs, firewall groups and tasks, with lookups that fail like PVE. */
import { pveDie, paramError } from '../http-error';
import { SeededRandom } from '../random';
import type { SimDatacenterOptions, SimNode, SimStateData, SimStorage, SimVm, SimVolume } from './model';
import { formatSize } from './vm-config';

/** datacenter.cfg of a fresh installation. */
const DEFAULT_DATACENTER_OPTIONS: SimDatacenterOptions = { keyboard: 'en-us' };

export class ClusterState {
  constructor(
    public data: SimStateData,
    readonly random: SeededRandom,
  ) {}

  // ---- nodes ------------------------------------------------------------------------------------------

  /** Like pveproxy's proxy lookup: an unknown node name fails with 500 `hostname lookup … failed`. */
  node(name: string): SimNode {
    const node = this.data.nodes.find((n) => n.name === name);
    if (!node)
      throw pveDie(
        `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`,
      );
    return node;
  }

  hasNode(name: string): boolean {
    return this.data.nodes.some((n) => n.name === name);
  }

  // ---- VMs --------------------------------------------------------------------------------------------

  findVm(vmid: number): SimVm | undefined {
    return this.data.vms.find((v) => v.vmid === vmid);
  }

  /** The VM on that node, or 500 `Configuration file 'nodes/<node>/qemu-server/<vmid>.conf' does not exist`. */
  vm(node: string, vmid: number): SimVm {
    this.node(node);
    const vm = this.findVm(vmid);
    if (vm?.node !== node)
      throw pveDie(`Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  }

  vmsOn(node: string): SimVm[] {
    return this.data.vms.filter((v) => v.node === node).sort((a, b) => a.vmid - b.vmid);
  }

  removeVm(vmid: number): void {
    this.data.vms = this.data.vms.filter((v) => v.vmid !== vmid);
  }

  /** datacenter.cfg, parsed as `GET /cluster/options` answers it. */
  datacenterOptions(): SimDatacenterOptions {
    return this.data.datacenter ?? DEFAULT_DATACENTER_OPTIONS;
  }

  /** The lowest free id in datacenter.cfg's `next-id` range (default [100, 1000000)). */
  lowestFreeVmid(): number {
    const range = this.datacenterOptions()['next-id'];
    const lower = Number(range?.lower ?? 100);
    const upper = Number(range?.upper ?? 1_000_000);
    const used = new Set(this.data.vms.map((v) => v.vmid));
    for (let id = lower; id < upper; id++) if (!used.has(id)) return id;
    throw pveDie(`unable to get any free VMID in range [${lower}, ${upper}]`);
  }

  // ---- storages and volumes ---------------------------------------------------------------------------

  storage(id: string): SimStorage | undefined {
    return this.data.storages.find((s) => s.storage === id);
  }

  /** A storage enabled on a node, or 500 `storage '<id>' does not exist` (PVE's wording). */
  storageOn(node: string, id: string): SimStorage {
    const storage = this.storage(id);
    if (!storage || (storage.nodes !== undefined && !storage.nodes.includes(node))) {
      throw pveDie(`storage '${id}' does not exist`);
    }
    return storage;
  }

  storagesOn(node: string): SimStorage[] {
    return this.data.storages.filter((s) => s.nodes === undefined || s.nodes.includes(node));
  }

  /** Volumes visible on a node's view of a storage (shared: all; local: that node's). */
  volumesOn(node: string, storage: SimStorage): SimVolume[] {
    return this.data.volumes.filter(
      (v) => v.storage === storage.storage && (storage.shared || v.node === node),
    );
  }

  findVolume(node: string, volid: string): SimVolume | undefined {
    const storageId = volid.split(':')[0] ?? '';
    const storage = this.storage(storageId);
    if (!storage) return undefined;
    return this.volumesOn(node, storage).find((v) => v.volid === volid);
  }

  usedBytes(node: string, storage: SimStorage): number {
    return this.volumesOn(node, storage).reduce((sum, v) => sum + v.size, 0);
  }

  removeVolume(volume: SimVolume): void {
    this.data.volumes = this.data.volumes.filter((v) => v !== volume);
  }

  /**
   * Allocates a new disk image the way PVE names it: `vm-<id>-disk-<n>` on block storages,
   * `<id>/vm-<id>-disk-<n>.qcow2` on directory storages. Returns the volid.
   */
  allocateDisk(
    node: string,
    storageId: string,
    vmid: number,
    sizeBytes: number,
    kind: 'disk' | 'cloudinit' = 'disk',
  ): string {
    const storage = this.storage(storageId);
    if (!storage || (storage.nodes !== undefined && !storage.nodes.includes(node))) {
      throw paramError({ storage: `storage '${storageId}' does not exist` });
    }
    if (!storage.content.includes('images')) {
      throw paramError({ storage: `storage '${storageId}' does not support vm images` });
    }
    const file = storage.type === 'dir' || storage.type === 'nfs';
    const existing = new Set(this.volumesOn(node, storage).map((v) => v.volid));
    let volid: string;
    if (kind === 'cloudinit') {
      volid = file ? `${storageId}:${vmid}/vm-${vmid}-cloudinit.qcow2` : `${storageId}:vm-${vmid}-cloudinit`;
      if (existing.has(volid)) throw pveDie(`volume '${volid}' already exists`);
    } else {
      let n = 0;
      const name = (i: number): string =>
        file ? `${storageId}:${vmid}/vm-${vmid}-disk-${i}.qcow2` : `${storageId}:vm-${vmid}-disk-${i}`;
      while (existing.has(name(n))) n++;
      volid = name(n);
    }
    this.data.volumes.push({
      volid,
      storage: storageId,
      ...(storage.shared ? {} : { node }),
      content: 'images',
      format: file ? 'qcow2' : 'raw',
      size: sizeBytes,
      vmid,
      ctime: Math.floor(Date.now() / 1000),
    });
    return volid;
  }

  /** `size=` text of a volume (for disk values). */
  volumeSizeText(node: string, volid: string): string {
    const volume = this.findVolume(node, volid);
    return formatSize(volume?.size ?? 0);
  }

  nextPid(): number {
    this.data.nextPid = (this.data.nextPid + this.random.int(1, 97)) % 0x3fffff;
    return this.data.nextPid;
  }
}
