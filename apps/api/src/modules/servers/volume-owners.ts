import { Injectable, Logger } from '@nestjs/common';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { storageReads } from '../datastores';

/** How long one reading serves the reservations of one batch (a bulk creation's, say). */
const READING_TTL_MS = 30_000;
/** Volumes a reading older than this found are looked for again before a VMID is passed over for them. */
const RECHECK_AFTER_MS = 2_000;
/** The batches whose readings are kept (the latest ones). */
const BATCHES_KEPT = 16;

/** Guest volumes: a VM's disk images and a container's root and mount-point volumes. */
const GUEST_CONTENT = ['images', 'rootdir'] as const;

type Reading = { at: number; owners: Promise<Map<number, string[]>> };

/**
 * The VMIDs guest volumes are named for (`vm-105-disk-0` on any storage), whether a VM of that VMID exists or
 * not. Proxmox's `nextid` calls a VMID free once its VM is gone even when volumes of it remain (a VM destroyed
 * without its unreferenced disks, by hand or by another tool): a new server given that VMID would clone next
 * to them, and deleting that server later (`destroy-unreferenced-disks`) would destroy them too. Read with one
 * listing per storage per node (a shared storage once). The reservations of one batch (a task: a bulk
 * creation) share one reading for up to 30 s, and volumes it found are looked for again once it is 2 s old
 * (they may have gone with their server since); another batch reads anew. A storage that cannot be listed
 * (not active on the node, or the token may not audit it) is passed over and said in the log.
 */
@Injectable()
export class VolumeOwners {
  private readonly logger = new Logger(VolumeOwners.name);
  private readonly readings = new Map<string, Reading>();

  constructor(private readonly proxmox: ProxmoxConnection) {}

  /** The volumes named for `vmid` (their volids), empty when there are none; `batch` names the reading. */
  async volumesOf(vmid: number, batch: string): Promise<string[]> {
    const kept = this.readings.get(batch);
    const reading = kept && Date.now() - kept.at < READING_TTL_MS ? kept : this.newReading(batch);
    const volumes = (await reading.owners).get(vmid) ?? [];
    if (volumes.length === 0 || Date.now() - reading.at < RECHECK_AFTER_MS) return volumes;
    return (await this.newReading(batch).owners).get(vmid) ?? [];
  }

  private newReading(batch: string): Reading {
    const reading: Reading = { at: Date.now(), owners: this.read() };
    this.readings.delete(batch);
    this.readings.set(batch, reading);
    for (const oldest of this.readings.keys()) {
      if (this.readings.size <= BATCHES_KEPT) break;
      this.readings.delete(oldest);
    }
    reading.owners.catch(() => {
      if (this.readings.get(batch) === reading) this.readings.delete(batch); // a failed reading is not kept
    });
    return reading;
  }

  private async read(): Promise<Map<number, string[]>> {
    const pve = this.proxmox.pve();
    const [config, nodes] = await Promise.all([pve.storageConfig(), pve.nodes()]);
    const reads = new Map(
      GUEST_CONTENT.flatMap((content) => storageReads(config, nodes, content)).map((read) => [
        `${read.storage}@${read.node}`,
        read,
      ]),
    );
    const listings = await Promise.allSettled(
      [...reads.values()].map(async (read) => ({
        read,
        items: await pve.storageContent(read.node, read.storage),
      })),
    );
    const owners = new Map<number, string[]>();
    for (const listing of listings) {
      if (listing.status === 'rejected') {
        this.logger.warn(`a storage's volumes could not be listed: ${String(listing.reason)}`);
        continue;
      }
      for (const item of listing.value.items) {
        if (item.vmid === undefined || !(GUEST_CONTENT as readonly string[]).includes(item.content)) continue;
        const volumes = owners.get(item.vmid) ?? [];
        if (!volumes.includes(item.volid)) volumes.push(item.volid);
        owners.set(item.vmid, volumes);
      }
    }
    return owners;
  }
}
